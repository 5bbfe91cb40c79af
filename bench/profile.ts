/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and lists the functions with the most self time,
 * placed in the TypeScript sources through the compiled files' source maps when they exist.
 */

import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const maps = new Map<string, SourceMap | undefined>();

/** file:line of a 0-based position in a compiled file, in its original source when a map says so. */
function locate(file: string, line: number, column: number, root: string): string {
  let map = maps.get(file);
  if (!maps.has(file)) {
    try {
      map = existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) : undefined;
    } catch {
      map = undefined;
    }
    maps.set(file, map);
  }
  const entry = map?.findEntry(line, column);
  if (entry !== undefined && 'originalSource' in entry) {
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
    return `${path.relative(root, source)}:${entry.originalLine + 1}`;
  }
  return `${path.relative(root, file)}:${line + 1}`;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  name: string;
  /** file:line relative to the repository, in the .ts source when mapped (or the URL as V8 gives it). */
  where: string;
  selfMs: number;
  percent: number;
}

export async function hottestFunctions(file: string, root: string, count = 12): Promise<{ totalMs: number; top: HotFunction[] }> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) byId.set(node.id, node);
  const selfUs = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i] ?? -1);
    const delta = profile.timeDeltas[i] ?? 0;
    if (node === undefined) continue;
    totalUs += delta;
    const frame = node.callFrame;
    let where = frame.url;
    if (where.startsWith('file://')) where = locate(fileURLToPath(where), frame.lineNumber, frame.columnNumber, root);
    else if (where !== '') where = `${where}:${frame.lineNumber + 1}`;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const key = `${name}@${where}`;
    const entry = selfUs.get(key) ?? { name, where, us: 0 };
    entry.us += delta;
    selfUs.set(key, entry);
  }
  const top = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, count)
    .map((entry) => ({ name: entry.name, where: entry.where, selfMs: entry.us / 1000, percent: totalUs === 0 ? 0 : (100 * entry.us) / totalUs }));
  return { totalMs: totalUs / 1000, top };
}
