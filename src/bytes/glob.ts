/*
 * Redis's glob-style patterns (KEYS, SCAN MATCH, ACL key patterns), over bytes: `*` any run of bytes, `?` one
 * byte, `[abc]`, `[^abc]`, `[a-z]` (ends swapped when reversed) a class, `\x` the byte x. The semantics are
 * util.c's stringmatchlen, corner cases included: an unterminated class ends at the end of the pattern, and
 * range ends compare as C `char`s, which are signed.
 */

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

/** A byte as a signed C char. */
const signed = (b: number): number => (b << 24) >> 24;

/** A compiled pattern: call it with a byte string. */
export type GlobMatcher = (subject: Uint8Array) => boolean;

/** True when `subject` matches the Redis glob `pattern`. */
export function globMatch(pattern: Uint8Array, subject: Uint8Array): boolean {
  const state = { skipLonger: false };
  return match(pattern, 0, subject, 0, state, 0);
}

/**
 * A matcher for `pattern` (a string is taken as UTF-8) as KEYS and SCAN MATCH apply it, with a fast path for
 * patterns without wildcards.
 */
export function globMatcher(pattern: Uint8Array | string): GlobMatcher {
  const bytes = typeof pattern === 'string' ? new TextEncoder().encode(pattern) : pattern;
  const special = bytes.some((b) => b === STAR || b === QUESTION || b === OPEN || b === BACKSLASH);
  if (!special) {
    return (subject) => subject.length === bytes.length && subject.every((b, i) => b === bytes[i]);
  }
  // As KEYS and SCAN: `*` alone matches every key, the empty one too (stringmatchlen alone would not).
  if (bytes.length === 1 && bytes[0] === STAR) return () => true;
  return (subject) => globMatch(bytes, subject);
}

function match(p: Uint8Array, pi: number, s: Uint8Array, si: number, state: { skipLonger: boolean }, nesting: number): boolean {
  // Redis gives up on patterns nested this deep (protection against pathological patterns).
  if (nesting > 1000) return false;
  while (pi < p.length && si < s.length) {
    const c = p[pi] as number;
    switch (c) {
      case STAR: {
        while (pi + 1 < p.length && p[pi + 1] === STAR) pi++;
        if (pi + 1 === p.length) return true;
        while (si < s.length) {
          if (match(p, pi + 1, s, si, state, nesting + 1)) return true;
          if (state.skipLonger) return false;
          si++;
        }
        state.skipLonger = true;
        return false;
      }
      case QUESTION:
        si++;
        break;
      case OPEN: {
        pi++;
        const not = p[pi] === CARET;
        if (not) pi++;
        let matched = false;
        const byte = s[si] as number;
        for (;;) {
          if (p[pi] === BACKSLASH && p.length - pi >= 2) {
            pi++;
            if (p[pi] === byte) matched = true;
          } else if (p[pi] === CLOSE) {
            break;
          } else if (pi >= p.length) {
            pi--;
            break;
          } else if (p.length - pi >= 3 && p[pi + 1] === DASH) {
            let start = signed(p[pi] as number);
            let end = signed(p[pi + 2] as number);
            if (start > end) [start, end] = [end, start];
            pi += 2;
            const b = signed(byte);
            if (b >= start && b <= end) matched = true;
          } else if (p[pi] === byte) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      case BACKSLASH:
        if (p.length - pi >= 2) pi++;
        if (p[pi] !== s[si]) return false;
        si++;
        break;
      default:
        if (c !== s[si]) return false;
        si++;
        break;
    }
    pi++;
    if (si === s.length) {
      while (pi < p.length && p[pi] === STAR) pi++;
      break;
    }
  }
  return pi >= p.length && si === s.length;
}
