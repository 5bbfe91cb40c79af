/** Redis glob patterns: our matcher against the real server's KEYS on the same keys and patterns. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { globMatcher } from '../../src/bytes/glob.js';
import { seededRandom } from '../support/aof-sets.js';
import { describeWithRedis, startRedis } from '../support/redis.js';
import type { RedisHandle } from '../support/redis.js';

const ALPHABET = ['a', 'b', 'c', '-', '*', '?', '[', ']', '^', '\\', 'z', ':', '\u00e9'];
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

function randomText(random: () => number, max: number, alphabet: readonly string[]): string {
  const length = Math.floor(random() * (max + 1));
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

describeWithRedis('glob patterns match as Redis KEYS matches', () => {
  let server: RedisHandle;
  const keys: string[] = [];
  beforeAll(async () => {
    server = await startRedis({});
    const random = seededRandom(11);
    const plain = ['a', 'b', 'c', '-', 'z', ':', '\u00e9', '*', '?', '[', ']', '\\', '^'];
    const seen = new Set<string>(['']);
    keys.push('');
    while (keys.length < 300) {
      const key = randomText(random, 6, plain);
      if (!seen.has(key)) {
        seen.add(key);
        keys.push(key);
      }
    }
    await server.callMany(keys.map((k) => ['SET', Buffer.from(k, 'latin1'), '1']));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('gives the same keys for 400 random patterns', async () => {
    const random = seededRandom(5);
    const patterns = ['*', '', '\\', '[', '[a', '[^a]*', '[z-a]*', 'a*b*', '*[-]*', '[a-]', '?', '\\*', '[\\]]*', '*\u00e9'];
    while (patterns.length < 400) patterns.push(randomText(random, 7, ALPHABET));
    for (const pattern of patterns) {
      const reply = (await server.call('KEYS', Buffer.from(pattern, 'latin1'))) as Buffer[];
      const theirs = reply.map((b) => b.toString('latin1')).sort();
      const matcher = globMatcher(bytesOf(pattern));
      const ours = keys.filter((k) => matcher(bytesOf(k))).sort();
      expect(ours, `pattern ${JSON.stringify(pattern)}`).toEqual(theirs);
    }
  });
});
