/**
 * The point-in-time rows of `npm run bench` (issue 9): `log --command FLUSHALL --jsonl` and
 * `truncate --to-timestamp` on the bench AOF, beside `redis-check-aof` and
 * `redis-check-aof --truncate-to-timestamp` on the same file.
 *
 * The bench AOF is written without `aof-timestamp-enabled`, so a copy with `#TS` annotations is derived from it
 * once (`bench-ts.aof`, cached): the same commands, with a `#TS:<n>` line (n = 1 700 000 000, +1 each time)
 * before the first command after every MiB, outside MULTI blocks, as a server writing one second per MiB would.
 * The cut is at the middle annotation. redis-check-aof cuts a copy of its own (`bench-ts.redis.aof`, made once:
 * it truncates that copy in place, and a second run reads the same bytes up to the same point and finds nothing
 * more to cut); redback writes its output to a file removed before each run.
 */
// cspell:words redback

import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { readAof } from '../src/aof/resp.js';
import { openInput } from '../src/io/open.js';

const MIB = 1024 * 1024;
const FIRST_TS = 1_700_000_000;

/** The timestamped copy of the bench AOF and where to cut it. */
export interface PitrInput {
  file: string;
  redisCopy: string;
  size: number;
  annotations: number;
  /** `--to-timestamp` value: the cut is at the first annotation after it, in the middle of the file. */
  cutTimestamp: number;
}

/** Makes (once) `bench-ts.aof` from `aof` in `cache`, and the copy redis-check-aof truncates. */
export async function ensurePitrInput(cache: string, aof: string, log: (line: string) => void, regenerate: boolean): Promise<PitrInput> {
  const file = path.join(cache, 'bench-ts.aof');
  const metaPath = path.join(cache, 'bench-ts.json');
  const sourceSize = (await stat(aof)).size;
  let meta: (PitrInput & { sourceSize: number }) | undefined;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as PitrInput & { sourceSize: number };
  } catch {
    meta = undefined;
  }
  if (regenerate || meta?.sourceSize !== sourceSize || !existsSync(file) || (await stat(file)).size !== meta.size) {
    log(`deriving ${path.basename(file)} (the bench AOF with a #TS line per MiB) ...`);
    const out = createWriteStream(file);
    const write = async (bytes: Uint8Array): Promise<void> => {
      if (!out.write(bytes)) await once(out, 'drain');
    };
    const input = await openInput(aof, aof);
    let annotations = 0;
    let nextAt = 0;
    let written = 0;
    let inMulti = false;
    try {
      for await (const record of readAof(input, { file: aof })) {
        if (record.kind !== 'command') continue;
        const name = Buffer.from(record.args[0] as Uint8Array).toString('latin1').toUpperCase();
        if (!inMulti && written >= nextAt) {
          const line = Buffer.from(`#TS:${FIRST_TS + annotations}\r\n`);
          await write(line);
          written += line.length;
          annotations++;
          nextAt += MIB;
        }
        if (name === 'MULTI') inMulti = true;
        else if (name === 'EXEC') inMulti = false;
        // The record's bytes: re-encoded from its arguments (the bench AOF is canonical RESP).
        const parts: Buffer[] = [Buffer.from(`*${record.args.length}\r\n`)];
        for (const arg of record.args) parts.push(Buffer.from(`$${arg.length}\r\n`), Buffer.from(arg), Buffer.from('\r\n'));
        const bytes = Buffer.concat(parts);
        await write(bytes);
        written += bytes.length;
      }
    } finally {
      await input.close();
    }
    out.end();
    await once(out, 'finish');
    meta = { file, redisCopy: path.join(cache, 'bench-ts.redis.aof'), size: written, annotations, cutTimestamp: FIRST_TS + Math.floor(annotations / 2) - 1, sourceSize };
    await writeFile(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
    log(`  -> ${(written / MIB).toFixed(1)} MiB, ${annotations} #TS annotations`);
  }
  // A fresh copy for redis-check-aof, which truncates it in place.
  await copyFile(file, meta.redisCopy);
  return meta;
}

/** Removes what the truncate row writes. */
export async function cleanupPitr(cache: string): Promise<void> {
  await rm(path.join(cache, 'bench-ts.cut.aof'), { force: true });
}

/** The two rows, in the shape bench/run.ts times. */
export function pitrPairs(input: PitrInput, root: string, redisCheckAof: string, node: string) {
  const file = path.relative(root, input.file);
  const copy = path.relative(root, input.redisCopy);
  const out = path.join(path.dirname(file), 'bench-ts.cut.aof');
  const common = { file, size: input.size, speedTarget: 1 };
  return [
    {
      ...common,
      id: 'aof-log',
      redback: { label: 'redback log --command FLUSHALL --jsonl', binary: node, args: ['bin/run.js', 'log', file, '--command', 'FLUSHALL', '--jsonl'], discardStdout: true },
      baseline: { label: 'redis-check-aof', binary: redisCheckAof, args: [file], discardStdout: true },
    },
    {
      ...common,
      id: 'aof-truncate',
      redback: {
        label: 'redback truncate --to-timestamp',
        binary: '/bin/sh',
        args: ['-c', `rm -f '${out}' && exec '${node}' bin/run.js truncate '${file}' --to-timestamp ${input.cutTimestamp} -o '${out}' --yes`],
        discardStdout: true,
      },
      baseline: { label: 'redis-check-aof --truncate-to-timestamp (copy)', binary: redisCheckAof, args: ['--truncate-to-timestamp', String(input.cutTimestamp), copy], discardStdout: true },
      note: `cut at #TS ${input.cutTimestamp + 1} of ${input.annotations}; redback writes the kept half to a new file, redis-check-aof truncates its copy`,
    },
  ];
}
