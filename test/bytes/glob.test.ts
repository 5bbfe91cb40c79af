/** Redis glob patterns: the compiled matcher against the plain one on random inputs (glob.oracle.test.ts holds the plain one to KEYS). */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { globMatch, globMatcher } from '../../src/bytes/glob.js';

const ALPHABET = ['a', 'b', 'c', '-', '*', '?', '[', ']', '^', '\\', 'z', ':', '\u00e9'];
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));


describe('the compiled matcher', () => {
  it('agrees with the plain one', () => {
    const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 8 }).map((chars) => bytesOf(chars.join('')));
    fc.assert(
      fc.property(text, text, (pattern, subject) => (pattern.length === 1 && pattern[0] === 0x2a) || globMatcher(pattern)(subject) === globMatch(pattern, subject)),
      { numRuns: 3000 },
    );
  });
});
