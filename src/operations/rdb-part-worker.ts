/**
 * Worker thread of {@link summarizeRdbFile}: reads the parts of an RDB file it is sent, one at a time, and
 * posts the summary of each.
 * See rdb-parallel.ts for how parts are chosen and joined.
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { ChunkedInput } from '../bytes/input.js';
import { fileSource } from '../io/file-source.js';
import type { PartMessage, PartRequest, PartTask } from './rdb-parallel.js';
import { describeFailure, emptySummary, summarizeInput } from './rdb-summary.js';
import type { RdbSummary } from './rdb-summary.js';

const port = parentPort as MessagePort;

/** Where the part being read may stop; the pool adds boundaries as it finds them. */
let stops = new Set<number>();

async function run(id: number, task: PartTask): Promise<RdbSummary> {
  stops = new Set(task.stopAt);
  let input: ChunkedInput;
  try {
    input = new ChunkedInput(await fileSource(task.path, task.name, task.start), undefined, { reuseBuffer: true, base: task.start });
  } catch (error) {
    const summary = emptySummary(task.start, task.resume ? -1 : 0);
    summary.error = describeFailure(error);
    return summary;
  }
  let posted = task.start;
  try {
    return await summarizeInput(input, {
      now: task.now,
      detail: task.detail,
      top: task.top,
      resume: task.resume,
      stopAt: stops,
      onProgress: (offset) => {
        if (offset - posted < 1 << 20) return;
        posted = offset;
        port.postMessage({ type: 'progress', id, offset } satisfies PartMessage);
      },
    });
  } finally {
    await input.close();
  }
}

port.on('message', (request: PartRequest) => {
  if (request.type === 'stops') {
    for (const offset of request.offsets) stops.add(offset);
    return;
  }
  void run(request.id, request.task).then((summary) => port.postMessage({ type: 'done', id: request.id, summary } satisfies PartMessage));
});
