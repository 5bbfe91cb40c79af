/**
 * `node dist/bench/convert-run.js FORMAT IN OUT`: converts the RDB at IN to FORMAT (jsonl, json, resp, aof) at
 * OUT the way `redback convert` does — the RDB read with values built, the writer's pieces written to a
 * temporary file beside OUT, fsynced and renamed — and prints what was written. The bench times it while
 * the command is not wired (bench/convert.ts).
 */
// cspell:words redback
import { writeFileAtomic } from '../src/io/atomic.js';
import { openInput } from '../src/io/open.js';
import { writeAof, writeResp } from '../src/output/aof.js';
import { writeJson, writeJsonl } from '../src/output/json.js';
import { newWriteReport } from '../src/output/report.js';
import type { RecordBatches, WriteReport } from '../src/output/report.js';
import { readRdbBatches } from '../src/rdb/reader.js';

const writers: Record<string, (records: RecordBatches, report: WriteReport) => AsyncIterable<Uint8Array>> = {
  jsonl: (records, report) => writeJsonl(records, {}, report),
  json: (records, report) => writeJson(records, {}, report),
  resp: (records, report) => writeResp(records, {}, report),
  aof: (records, report) => writeAof(records, {}, report),
};

const [format, input, output] = process.argv.slice(2);
const write = writers[format ?? ''];
if (write === undefined || input === undefined || output === undefined) {
  process.stderr.write(`usage: convert-run.js ${Object.keys(writers).join('|')} IN OUT\n`);
  process.exit(2);
}
const source = await openInput(input);
const report = newWriteReport();
try {
  const bytes = await writeFileAtomic(output, write(readRdbBatches(source, { materialize: true }), report));
  process.stdout.write(`${format}: ${report.keys} keys, ${bytes} bytes\n`);
} finally {
  await source.close();
}
