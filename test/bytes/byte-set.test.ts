import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ByteSet } from '../../src/bytes/byte-set.js';

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('ByteSet', () => {
  it('answers like a Set of the byte strings, across resets and growth', () => {
    const set = new ByteSet();
    fc.assert(
      fc.property(fc.array(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3000 }), { maxLength: 4 }), (groups) => {
        for (const members of groups) {
          set.reset();
          const reference = new Set<string>();
          for (const member of members) {
            const padded = new Uint8Array(member.length + 6);
            padded.set(member, 3);
            const expected = !reference.has(latin1(member));
            reference.add(latin1(member));
            expect(set.add(padded, 3, 3 + member.length)).toBe(expected);
          }
          expect(set.size).toBe(reference.size);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('compares integers by their decimal text, as Redis compares members', () => {
    const set = new ByteSet();
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(set.addInteger(123)).toBe(true);
    expect(set.add(text('123'), 0, 3)).toBe(false);
    expect(set.add(text('-5'), 0, 2)).toBe(true);
    expect(set.addInteger(-5)).toBe(false);
    expect(set.addInteger(9223372036854775807n)).toBe(true);
    expect(set.add(text('9223372036854775807'), 0, 19)).toBe(false);
    expect(set.addInteger(0)).toBe(true);
    expect(set.add(text('0'), 0, 1)).toBe(false);
  });

  it('stays exact in a large set', () => {
    const set = new ByteSet();
    const n = 200_000;
    const buffer = new Uint8Array(8);
    const view = new DataView(buffer.buffer);
    for (let i = 0; i < n; i++) {
      view.setUint32(0, i);
      view.setUint32(4, i * 31);
      expect(set.add(buffer, 0, 8)).toBe(true);
    }
    view.setUint32(0, 4242);
    view.setUint32(4, 4242 * 31);
    expect(set.add(buffer, 0, 8)).toBe(false);
    expect(set.size).toBe(n);
    set.reset();
    expect(set.size).toBe(0);
    expect(set.add(buffer, 0, 8)).toBe(true);
  });
});
