/**
 * What a test needs from outside the repository, in one place: the peer corpus in ../shared/fixtures/peer
 * and external tools. A suite that needs something missing is skipped with a message saying what and how
 * to get it; under `CI=true` it is not skipped but holds one failing test that says so, so that nothing a
 * CI run is meant to check can pass by not running.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'vitest';
import { PEER_DIR } from './paths.js';

/** True when the tests run under CI (`CI=true`): missing prerequisites fail instead of skipping. */
export const IN_CI = process.env.CI === 'true';

/** True when ../shared/fixtures/peer (or REDBACK_PEER_FIXTURES) holds the peer corpus. */
export const HAVE_PEER = existsSync(join(PEER_DIR, 'PROVENANCE.md'));

/**
 * A `describe` whose tests all need `what`: run when `available`; otherwise skipped with a message, or,
 * under `CI=true`, replaced by one failing test naming what is missing and how to get it.
 */
export function describeNeeding(available: boolean, what: string, hint: string, name: string, fn: () => void): void {
  if (available) {
    describe(name, fn);
    return;
  }
  if (IN_CI) {
    describe(name, () => {
      it(`needs ${what}`, () => {
        throw new Error(`${what} is missing: '${name}' cannot be skipped when CI=true; ${hint}`);
      });
    });
    return;
  }
  const message = `${what} is missing: skipping '${name}'; ${hint}`;
  console.warn(message);
  describe.skip(`${name} (SKIPPED: ${what} is missing)`, fn);
}

/** A `describe` that needs the peer corpus of ../shared/fixtures/peer (see {@link describeNeeding}). */
export function describePeer(name: string, fn: () => void): void {
  describeNeeding(HAVE_PEER, `the peer corpus (${PEER_DIR})`, 'check out ../shared beside the repository or set REDBACK_PEER_FIXTURES', name, fn);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function startsWith(data: Uint8Array, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (data[i] !== text.charCodeAt(i)) return false;
  return data.length >= text.length;
}

/** True when `data` starts with an RDB magic. */
export function isRdb(data: Uint8Array): boolean {
  return startsWith(data, 'REDIS') || startsWith(data, 'VALKEY');
}

/** Peer files that start with an RDB magic, as paths relative to the peer dir (sorted); [] without the corpus. */
export function peerRdbNames(): string[] {
  if (!HAVE_PEER) return [];
  return walk(PEER_DIR)
    .filter((path) => isRdb(readFileSync(path).subarray(0, 9)))
    .map((path) => relative(PEER_DIR, path))
    .sort();
}

/** The bytes of a peer file by its relative name. */
export function loadPeer(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PEER_DIR, name)));
}
