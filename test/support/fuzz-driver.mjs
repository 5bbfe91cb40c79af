// Runs in a child process for test/rdb/fuzz.test.ts: reads the mutants listed in a file (one path a line)
// with the built library (dist/), the way `check` and `inspect` do, and prints one JSON line per step:
// {"start": path, "op": op} before each operation, then {"path", "op", "ms", "outcome", ...} after it.
//
// outcome: 'ok' (read without complaint), 'ours' (a RedbackError, or a report of one, naming the file and a
// byte offset on one line), 'foreign' (anything else: another error class, a message without file or offset,
// a multi-line message). After every file it also prints the process's peak RSS so far.
//
// usage: node fuzz-driver.mjs <repo root> <list file>
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [root, listFile] = process.argv.slice(2);
const load = (module) => import(pathToFileURL(`${root}/dist/src/${module}`).href);
const { RedbackError } = await load('errors.js');
const { sniffInput } = await load('io/sniff.js');
const { checkRdb } = await load('operations/check-rdb.js');
const { checkAof } = await load('operations/check-aof.js');
const { inspectRdb } = await load('operations/inspect-rdb.js');
const { inspectAof } = await load('operations/inspect-aof.js');
const { openInput } = await load('io/open.js');
const { readRdbBatches } = await load('rdb/reader.js');

const NOW = Date.UTC(2026, 0, 1);

function say(object) {
  process.stdout.write(`${JSON.stringify(object)}\n`);
}

/** A message is ours when it is one line naming the file and a byte offset. */
function located(message, path) {
  return typeof message === 'string' && !message.includes('\n') && message.includes(path) && /offset \d+/.test(message);
}

function thrown(error, path) {
  if (!(error instanceof RedbackError)) return { outcome: 'foreign', error: `${error?.constructor?.name}: ${error?.stack ?? error}` };
  const line = error.toLine();
  if (error.file === undefined || error.offset === undefined || !located(line, path)) return { outcome: 'foreign', error: `${error.constructor.name} without file and offset: ${line}` };
  return { outcome: 'ours', error: line };
}

function isAof(kind, path) {
  return kind === 'aof' || kind === 'manifest' || kind === 'directory' || (kind === 'rdb' && /\.aof(\.lz4)?$/i.test(path));
}

async function check(path) {
  const kind = await sniffInput(path);
  if (isAof(kind, path)) {
    const report = await checkAof(path);
    if (report.error) return { outcome: located(report.error.message, path) && report.error.offset !== undefined ? 'ours' : 'foreign', error: report.error.message };
    for (const file of report.files) {
      if (file.error && (typeof file.error.offset !== 'number' || file.error.message.includes('\n'))) return { outcome: 'foreign', error: JSON.stringify(file.error) };
      if (file.rdb?.error && !(located(file.rdb.error.message, file.path) && file.rdb.error.offset !== undefined)) return { outcome: 'foreign', error: file.rdb.error.message };
    }
    return { outcome: report.valid ? 'ok' : 'ours', error: report.valid ? undefined : (report.files.find((f) => f.error)?.error?.message ?? report.problems[0]) };
  }
  if (kind !== 'rdb') return { outcome: 'ours', error: `${path}: offset 0: ${kind}` };
  const report = await checkRdb(path, { now: NOW });
  if (report.valid) return { outcome: 'ok' };
  const error = report.error;
  if (!error || error.offset === undefined || !located(error.message, path)) return { outcome: 'foreign', error: JSON.stringify(error) };
  return { outcome: 'ours', error: error.message };
}

async function inspect(path) {
  const kind = await sniffInput(path);
  if (isAof(kind, path)) {
    const report = await inspectAof(path, { now: NOW });
    const stop = report.stoppedAt;
    if (stop === undefined) return { outcome: 'ok' };
    if (stop.offset === undefined || !located(stop.message, stop.file)) return { outcome: 'foreign', error: JSON.stringify(stop) };
    return { outcome: 'ours', error: stop.message };
  }
  if (kind !== 'rdb') return { outcome: 'ours', error: `${path}: offset 0: ${kind}` };
  await inspectRdb(path, { now: NOW });
  return { outcome: 'ok' };
}

/** The RDB reader with long strings read in 16-byte pieces and duplicate checks spilled past 4 KiB. */
async function pieces(path) {
  if ((await sniffInput(path)) !== 'rdb') return { outcome: 'ok' };
  const input = await openInput(path, path, { reuseBuffer: true });
  try {
    for await (const batch of readRdbBatches(input, { materialize: false, stringPieceBytes: 16, duplicateCheckBytes: 4096 })) void batch;
    return { outcome: 'ok' };
  } finally {
    await input.close();
  }
}

const OPS = { check, inspect, pieces };

for (const path of readFileSync(listFile, 'utf8').split('\n').filter(Boolean)) {
  for (const [op, run] of Object.entries(OPS)) {
    say({ start: path, op });
    const started = performance.now();
    let result;
    try {
      result = await run(path);
    } catch (error) {
      result = thrown(error, path);
    }
    say({ path, op, ms: Math.round(performance.now() - started), ...result });
  }
  say({ path, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
}
say({ done: true });
