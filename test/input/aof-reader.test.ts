import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { resolveAof } from '../../src/aof/set.js';
import { lz4EncodeFrames } from '../../src/codecs/lz4.js';
import { identifyFormat, identifyInput } from '../../src/input/detect.js';
import { readAofSet } from '../../src/input/aof-reader.js';
import type { AofSetCommand, AofSetEvent } from '../../src/input/aof-reader.js';
import type { RedbackError } from '../../src/errors.js';
import { concat } from '../support/bytes.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempDir } from '../support/redis.js';
import { rm } from 'node:fs/promises';

const RDB = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('redback-aof-reader-');
  dirs.push(dir);
  return dir;
}

const resp = (...commands: string[][]): Uint8Array => concat(commands.flatMap((args) => encodeCommand(args)));
const ts = (seconds: number): Uint8Array => new TextEncoder().encode(`#TS:${seconds}\r\n`);

async function collect(events: AsyncIterable<AofSetEvent>): Promise<AofSetEvent[]> {
  const out: AofSetEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

function commandsOf(events: AofSetEvent[]): (AofSetCommand & { file: string })[] {
  return events.flatMap((e) => (e.kind === 'command' ? [{ ...e, file: e.file.part.name }] : []));
}

/** A set laid out as Redis 7 lays one out: an RDB BASE and two INCR files. */
async function makeSet(): Promise<{ dir: string; incr1: Uint8Array; incr2: Uint8Array }> {
  const dir = await tempDir();
  const incr1 = concat([
    ts(1700000000),
    resp(['select', '3'], ['SET', 'a', '1']),
    ts(1700000005),
    resp(['MULTI'], ['INCR', 'a'], ['DEL', 'b'], ['EXEC'], ['SELECT', '5'], ['SET', 'c', '2']),
  ]);
  const incr2 = concat([resp(['SET', 'd', '3']), ts(1700000010), resp(['FLUSHALL'])]);
  await writeFile(path.join(dir, 'appendonly.aof.1.base.rdb'), await readFile(RDB));
  await writeFile(path.join(dir, 'appendonly.aof.1.incr.aof'), incr1);
  await writeFile(path.join(dir, 'appendonly.aof.2.incr.aof'), incr2);
  await writeFile(
    path.join(dir, 'appendonly.aof.manifest'),
    'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
  );
  return { dir, incr1, incr2 };
}

describe('the AOF reader', () => {
  it('walks a set in load order: the BASE records, then every command with its file, offset, db, MULTI and #TS', async () => {
    const { dir, incr1 } = await makeSet();
    let keys = 0;
    const events = await collect(readAofSet(await resolveAof(dir), { rdb: () => ({ keyEnd: () => void keys++ }) }));
    expect(events.map((e) => `${e.kind}:${e.file.part.name}`)).toEqual([
      'file:appendonly.aof.1.base.rdb',
      'rdb:appendonly.aof.1.base.rdb',
      'end:appendonly.aof.1.base.rdb',
      'file:appendonly.aof.1.incr.aof',
      'annotation:appendonly.aof.1.incr.aof',
      ...Array(2).fill('command:appendonly.aof.1.incr.aof'),
      'annotation:appendonly.aof.1.incr.aof',
      ...Array(6).fill('command:appendonly.aof.1.incr.aof'),
      'end:appendonly.aof.1.incr.aof',
      'file:appendonly.aof.2.incr.aof',
      'command:appendonly.aof.2.incr.aof',
      'annotation:appendonly.aof.2.incr.aof',
      'command:appendonly.aof.2.incr.aof',
      'end:appendonly.aof.2.incr.aof',
    ]);
    expect(keys).toBeGreaterThan(40);
    const base = events[1];
    expect(base?.kind === 'rdb' && base.outcome.done && base.outcome.error === undefined).toBe(true);
    const commands = commandsOf(events);
    expect(commands.map((c) => [c.file.slice(-10), c.name, c.db, c.multi !== undefined, c.timestamp])).toEqual([
      ['1.incr.aof', 'SELECT', 0, false, 1700000000],
      ['1.incr.aof', 'SET', 3, false, 1700000000],
      ['1.incr.aof', 'MULTI', 3, true, 1700000005],
      ['1.incr.aof', 'INCR', 3, true, 1700000005],
      ['1.incr.aof', 'DEL', 3, true, 1700000005],
      ['1.incr.aof', 'EXEC', 3, true, 1700000005],
      ['1.incr.aof', 'SELECT', 3, false, 1700000005],
      ['1.incr.aof', 'SET', 5, false, 1700000005],
      // Each file is loaded by a new client, in db 0; the last #TS carries over.
      ['2.incr.aof', 'SET', 0, false, 1700000005],
      ['2.incr.aof', 'FLUSHALL', 0, false, 1700000010],
    ]);
    // Offsets and lengths are the commands' bytes in their file.
    for (const command of commands.filter((c) => c.file.endsWith('1.incr.aof'))) {
      const bytes = incr1.subarray(command.offset, command.offset + command.length);
      expect(Buffer.from(bytes).toString('latin1')).toBe(Buffer.concat(encodeCommand(command.args)).toString('latin1'));
    }
    const multi = commands[2] as AofSetCommand;
    expect(commands.slice(2, 6).every((c) => c.multi === multi.offset)).toBe(true);
  });

  it('reads a single file with an RDB preamble, and the same file LZ4-compressed, alike', async () => {
    const dir = await tempDir();
    const data = concat([await readFile(RDB), resp(['SET', 'x', '1'], ['DEL', 'x'])]);
    await writeFile(path.join(dir, 'appendonly.aof'), data);
    const compressed: Uint8Array[] = [];
    for await (const chunk of lz4EncodeFrames((async function* () { yield data; })())) compressed.push(chunk);
    await writeFile(path.join(dir, 'old.aof.lz4'), concat(compressed));
    const plain = commandsOf(await collect(readAofSet(await resolveAof(path.join(dir, 'appendonly.aof')))));
    const lz4 = commandsOf(await collect(readAofSet(await resolveAof(path.join(dir, 'old.aof.lz4')))));
    expect(plain.map((c) => [c.name, c.offset, c.length])).toEqual(lz4.map((c) => [c.name, c.offset, c.length]));
    expect(plain.map((c) => c.name)).toEqual(['SET', 'DEL']);
    expect(plain[0]?.offset).toBe(data.length - resp(['SET', 'x', '1'], ['DEL', 'x']).length);
  });

  it('throws the reader error of a broken file, with its name and offset, after the commands before it', async () => {
    const { dir, incr2 } = await makeSet();
    const cut = incr2.subarray(0, incr2.length - 3);
    await writeFile(path.join(dir, 'appendonly.aof.2.incr.aof'), cut);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of readAofSet(await resolveAof(dir))) if (event.kind === 'command') seen.push(event.name);
    })().catch((caught: unknown) => caught as Error & { offset?: number; file?: string });
    expect(seen.at(-1)).toBe('SET');
    expect(error?.file).toContain('appendonly.aof.2.incr.aof');
    expect(typeof error?.offset).toBe('number');
  });

  it('stops early without leaving files open', async () => {
    const { dir } = await makeSet();
    for await (const event of readAofSet(await resolveAof(dir))) if (event.kind === 'command') break;
    // Reading again works (nothing holds the files): the set resolves and reads in full.
    expect(commandsOf(await collect(readAofSet(await resolveAof(dir))))).toHaveLength(10);
  });
});

describe('what a path is', () => {
  it('tells RDBs, preamble AOFs, RESP AOFs, sets, Redis dirs and empty files apart, by content first', async () => {
    const { dir } = await makeSet();
    const other = await tempDir();
    const rdb = await readFile(RDB);
    await writeFile(path.join(other, 'dump.rdb'), rdb);
    await writeFile(path.join(other, 'renamed.bin'), rdb);
    await writeFile(path.join(other, 'appendonly.aof'), concat([rdb, resp(['SET', 'a', 'b'])]));
    await writeFile(path.join(other, 'plain.bin'), resp(['SET', 'a', 'b']));
    await writeFile(path.join(other, 'empty'), new Uint8Array());
    await writeFile(path.join(other, 'empty.rdb'), new Uint8Array());
    await writeFile(path.join(other, 'text.txt'), 'hello\n');
    const redisDir = path.join(other, 'redis-dir');
    await mkdir(path.join(redisDir, 'appendonlydir'), { recursive: true });
    for (const name of ['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']) {
      await writeFile(path.join(redisDir, 'appendonlydir', name), await readFile(path.join(dir, name)));
    }
    const kinds: Record<string, string> = {};
    for (const name of ['dump.rdb', 'renamed.bin', 'appendonly.aof', 'plain.bin', 'empty', 'empty.rdb', 'redis-dir']) {
      kinds[name] = await identifyFormat(path.join(other, name));
    }
    expect(kinds).toEqual({ 'dump.rdb': 'rdb', 'renamed.bin': 'rdb', 'appendonly.aof': 'aof', 'plain.bin': 'aof', empty: 'aof', 'empty.rdb': 'rdb', 'redis-dir': 'aof' });
    const set = await identifyInput(path.join(redisDir));
    expect(set.kind === 'aof' && set.set.parts.map((p) => p.role)).toEqual(['base', 'incr', 'incr']);
    const manifest = await identifyInput(path.join(dir, 'appendonly.aof.manifest'));
    expect(manifest.kind === 'aof' && manifest.set.kind).toBe('multipart');
    const line = (error: unknown): string => (error as RedbackError).toLine();
    expect(line(await identifyInput(path.join(other, 'text.txt')).catch((e: unknown) => e))).toMatch(/text\.txt: offset 0: neither an RDB nor an AOF/);
    expect(line(await identifyInput(path.join(other, 'missing.rdb')).catch((e: unknown) => e))).toMatch(/missing\.rdb: no such file/);
  });
});
