// cspell:words stty
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/redis.js';
import { REPO_ROOT } from '../support/paths.js';

// redback at an 80-column terminal: a pseudo-terminal made by util-linux's `script`, sized with stty.
// Every line of inspect and check (tables, verdicts, the progress bar on stderr) fits in 80 columns; the
// bar is erased when done; nothing is drawn on stderr when it is not a terminal.

const BIN = path.join(REPO_ROOT, 'bin/run.js');
const FIXTURE = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');
const haveScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveScript && process.env.CI === 'true') throw new Error('util-linux `script` is needed for the terminal tests');

let dir: string;
/** A path that fits a line (verdicts and headings show the path whole). */
let rdb: string;
/** A path too long for any line: the progress bar shortens it. */
let longRdb: string;
let aofDir: string;

const AOF_PREFIX = 'appendonly-of-the-production-cache-with-a-long-name.aof';

const quote = (arg: string): string => `'${arg.replace(/'/g, "'\\''")}'`;

/** Runs redback in a pseudo-terminal of `columns` columns; returns what the terminal received. */
function atTerminal(args: string[], options: { columns?: number; stderrTo?: string } = {}): string {
  const command = `stty cols ${options.columns ?? 80} rows 50; ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}${options.stderrTo ? ` 2>${quote(options.stderrTo)}` : ''}`;
  return execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, CI: '', NO_COLOR: '', TERM: 'xterm' } });
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The pieces of the transcript a terminal shows on one row: split at line feeds and carriage returns. */
function rows(transcript: string): string[] {
  return transcript.split(/\r|\n/).map((row) => row.replace(ESCAPES, ''));
}

/** Progress frames: what follows each carriage return up to the erase-line sequence. */
function frames(transcript: string): string[] {
  // eslint-disable-next-line no-control-regex
  return [...transcript.matchAll(/\r([^\r\n]*?)\u001b\[K/g)].map((m) => (m[1] as string).replace(ESCAPES, '')).filter((frame) => frame !== '');
}

/**
 * The widest row, leaving out rows that show a file name or path whole (headings, verdicts, "manifest …"):
 * those stay whole so that they can be copied, and may wrap. Tables and the progress bar always fit.
 */
function widest(transcript: string): number {
  const named = (row: string): boolean => !/^[┌│├└]/.test(row) && (row.includes(dir) || row.includes(AOF_PREFIX));
  return Math.max(...rows(transcript).filter((row) => !named(row)).map((row) => [...row].length));
}

beforeAll(async () => {
  dir = await makeTempDir('redback-terminal-');
  rdb = path.join(dir, 'dump.rdb');
  copyFileSync(FIXTURE, rdb);
  longRdb = path.join(dir, `a-backup-folder-with-a-long-name-${'x'.repeat(60)}`, 'dump-of-the-production-cache-2026-01-01.rdb');
  mkdirSync(path.dirname(longRdb));
  copyFileSync(FIXTURE, longRdb);
  aofDir = path.join(dir, 'appendonlydir');
  mkdirSync(aofDir);
  const prefix = AOF_PREFIX;
  copyFileSync(FIXTURE, path.join(aofDir, `${prefix}.1.base.rdb`));
  const longKey = `user:session:${'k'.repeat(120)}`;
  const incr = [`#TS:1767225600\r\n`, `*3\r\n$3\r\nSET\r\n$${longKey.length}\r\n${longKey}\r\n$1\r\nv\r\n`, `#TS:1767229200\r\n`, `*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n`].join('');
  writeFileSync(path.join(aofDir, `${prefix}.1.incr.aof`), incr);
  writeFileSync(path.join(aofDir, `${prefix}.manifest`), `file ${prefix}.1.base.rdb seq 1 type b\nfile ${prefix}.1.incr.aof seq 1 type i\n`);
});

describe.skipIf(!haveScript)('at an 80-column terminal', () => {
  it('every line of inspect fits, for an RDB (also --by-encoding) and for an AOF set', () => {
    for (const args of [['inspect', rdb], ['inspect', rdb, '--by-encoding', '--top', '20'], ['inspect', aofDir]]) {
      const transcript = atTerminal(args);
      expect(transcript).toMatch(/┌/);
      expect(widest(transcript), `${args.join(' ')}:\n${transcript}`).toBeLessThanOrEqual(80);
      // A header rule and no separator under every row: one ├ line per table at most.
      const tables = (transcript.match(/┌/g) ?? []).length;
      expect((transcript.match(/├/g) ?? []).length).toBeLessThanOrEqual(tables);
    }
  });

  it('check: verdicts fit, and the progress bar stays within the width and is erased when done', () => {
    for (const target of [rdb, aofDir]) {
      const transcript = atTerminal(['check', target]);
      expect(transcript).toMatch(/valid/);
      expect(widest(transcript), transcript).toBeLessThanOrEqual(80);
      const drawn = frames(transcript);
      expect(drawn.length, transcript).toBeGreaterThan(0);
      for (const frame of drawn) {
        expect([...frame].length).toBeLessThan(80);
        expect(frame).toMatch(/%|\/s/);
      }
      // The last frame is followed by the erase sequence before the verdict is printed.
      const lastFrame = transcript.lastIndexOf('\u001b[K', transcript.indexOf('valid'));
      expect(transcript.slice(lastFrame - 1, lastFrame + 3)).toBe('\r\u001b[K');
    }
  });

  it('the progress bar shows the rate and the ETA at 80 columns with a shortened label, and fits 60 and 40', () => {
    const wide = frames(atTerminal(['inspect', longRdb]));
    // A 12 KiB file is read before a second frame is due: its one frame may not know the rate yet (ETA ?).
    expect(wide.some((frame) => /\[[#.]+\] +\d+% .*\/s ETA (\d+:\d\d|\?)$/.test(frame)), wide.join('\n')).toBe(true);
    expect(wide.some((frame) => frame.includes('…'))).toBe(true);
    for (const columns of [40, 60]) {
      const narrow = frames(atTerminal(['check', longRdb], { columns }));
      expect(narrow.length).toBeGreaterThan(0);
      for (const frame of narrow) expect([...frame].length).toBeLessThan(columns);
    }
  });

  it('nothing is drawn on stderr when it is not a terminal', () => {
    const stderr = path.join(dir, 'stderr.txt');
    for (const args of [['check', longRdb], ['inspect', longRdb], ['check', aofDir]]) {
      const transcript = atTerminal(args, { stderrTo: stderr });
      expect(transcript).toMatch(/valid|┌/);
      expect(existsSync(stderr)).toBe(true);
      expect(readFileSync(stderr, 'utf8')).toBe('');
      expect(frames(transcript)).toEqual([]);
    }
  });
});
