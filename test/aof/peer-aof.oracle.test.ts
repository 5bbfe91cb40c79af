import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { checkAof } from '../../src/operations/check-aof.js';
import { inspectAof } from '../../src/operations/inspect-aof.js';
import { describeWithRedis, runTool } from '../support/redis.js';
import { PEER_DIR } from '../support/paths.js';
import { HAVE_PEER, describePeer } from '../support/prerequisites.js';

// Every AOF and manifest under ../shared/fixtures/peer: our verdict, ok_up_to and ok_up_to_line against
// redis-check-aof's, and the facts PROVENANCE.md gives about them.

const PEER = PEER_DIR;

function findAofs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findAofs(full));
    else if (name.endsWith('.aof') || name.endsWith('.manifest')) out.push(full);
  }
  return out.sort();
}

interface Analyzed {
  filename: string;
  size: number;
  okUpTo: number;
  okUpToLine: number;
}

function analyzedLines(stdout: string): Analyzed[] {
  return [...stdout.matchAll(/AOF analyzed: filename=(.*?), size=(\d+), ok_up_to=(\d+), ok_up_to_line=(\d+), diff=(\d+)/g)].map((m) => ({
    filename: m[1] as string,
    size: Number(m[2]),
    okUpTo: Number(m[3]),
    okUpToLine: Number(m[4]),
  }));
}

describeWithRedis('peer AOF files and manifests', () => describePeer('against redis-check-aof', () => {
  const files = HAVE_PEER ? findAofs(PEER) : [];

  it('finds the peer AOFs (PROVENANCE.md: 8 AOF files and 2 manifests)', () => {
    expect(files.filter((f) => f.endsWith('.manifest'))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.aof')).length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    it(`${path.relative(PEER, file)}: same verdict, ok_up_to and ok_up_to_line as redis-check-aof`, async () => {
      const tool = await runTool('redis-check-aof', [file]);
      const ours = await checkAof(file);
      expect(ours.valid, tool.stdout).toBe(tool.code === 0);
      const theirs = analyzedLines(tool.stdout);
      for (const line of theirs) {
        const verdict = ours.files.find((f) => path.basename(f.path) === path.basename(line.filename));
        expect(verdict, `${line.filename} analyzed by redis-check-aof`).toBeDefined();
        expect({ size: verdict?.size, okUpTo: verdict?.okUpTo, okUpToLine: verdict?.okUpToLine }).toEqual({
          size: line.size,
          okUpTo: line.okUpTo,
          okUpToLine: line.okUpToLine,
        });
      }
    });
  }

  it('reads the command counts redis-replicator asserts (appendonly1 = 4, appendonly5 = 71; appendonly-with-ts: 54 #TS, 65 commands)', async () => {
    const resources = path.join(PEER, 'leonchen83__redis-replicator/src/test/resources');
    expect((await inspectAof(path.join(resources, 'appendonly1.aof'))).commands).toBe(4);
    expect((await inspectAof(path.join(resources, 'appendonly5.aof'))).commands).toBe(71);
    const withTs = await inspectAof(path.join(resources, 'appendonly-with-ts.aof'));
    expect(withTs.commands).toBe(65);
    expect(withTs.annotations).toBe(54);
    const two = await inspectAof(path.join(resources, 'appendonly2.aof'));
    expect(two.byCommand.SET).toBeGreaterThanOrEqual(48000);
  });

  it('RedisShake set: the BASE .rdb holds the list the test expects; its LF-only INCR is invalid at offset 0', async () => {
    const report = await inspectAof(path.join(PEER, 'tair-opensource__RedisShake/test/aof_test/appendonlydir'));
    expect(report.layout).toBe('multipart');
    expect(report.files[0]?.kind).toBe('rdb+resp');
    expect(report.stoppedAt?.offset).toBe(0);
    const check = await checkAof(path.join(PEER, 'tair-opensource__RedisShake/test/aof_test/appendonlydir'));
    expect(check.files[1]).toMatchObject({ valid: false, okUpTo: 0 });
  });
}));
