/* cspell:words aembke appendfilename appendonly appendonlydir bgrewrite bgrewriteaof daemonize endoffset mkdtemp opensource redback sdscatrepr sdssplitargs startoffset tair unixsocket */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptError, UsageError } from '../../src/errors.js';
import {
  DEFAULT_AOF_DIRNAME,
  DEFAULT_AOF_FILENAME,
  MANIFEST_MAX_LINE,
  ManifestError,
  ManifestMessages,
  baseFileName,
  formatManifest,
  incrFileName,
  isManifest,
  loadOrder,
  manifestFileName,
  parseManifest,
  quoteManifestString,
  splitManifestArgs,
  tempIncrFileName,
  tempManifestFileName,
  type Manifest,
  type ManifestEntry,
  type ManifestInit,
} from '../../src/aof/manifest.js';
import { PEER_DIR } from '../support/paths.js';
import { describePeer } from '../support/prerequisites.js';
import { writeRdb } from '../support/rdb-writer.js';

// Manifest texts are written here as binary strings (one character per byte).
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const parse = (s: string): Manifest => parseManifest(bytes(s), 'm.manifest');

function parseError(s: string): ManifestError {
  try {
    parse(s);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    expect(error).toBeInstanceOf(CorruptError);
    return error as ManifestError;
  }
  throw new Error(`expected the manifest to be refused: ${JSON.stringify(s)}`);
}

function usageError(m: ManifestInit): UsageError {
  try {
    formatManifest(m);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected formatManifest to refuse');
}

const B1 = 'file a.1.base.rdb seq 1 type b\n';
const I1 = 'file a.1.incr.aof seq 1 type i\n';
const I2 = 'file a.2.incr.aof seq 2 type i\n';

/** A valid BASE line of exactly `length` bytes before its line ending, padded with an unknown key. */
function lineOfLength(length: number): string {
  const head = 'file a.1.base.rdb seq 1 type b pad ';
  return head + 'x'.repeat(length - head.length);
}

describe('parseManifest: what Redis accepts', () => {
  it('reads BASE, HISTORY and INCR entries with their line numbers', () => {
    const m = parse('file a.3.base.rdb seq 3 type b\nfile a.2.incr.aof seq 2 type h\nfile a.2.base.rdb seq 2 type h\nfile a.3.incr.aof seq 3 type i\nfile a.4.incr.aof seq 4 type i\n');
    expect(m.base).toEqual({ name: 'a.3.base.rdb', seq: 3, type: 'base', extra: [], line: 1 });
    expect(m.history.map((e) => [e.name, e.seq, e.line])).toEqual([['a.2.incr.aof', 2, 2], ['a.2.base.rdb', 2, 3]]);
    expect(m.incr.map((e) => [e.name, e.seq, e.type, e.line])).toEqual([['a.3.incr.aof', 3, 'incr', 4], ['a.4.incr.aof', 4, 'incr', 5]]);
  });

  it('skips comment lines, counts them as lines, and accepts a comment without a final newline', () => {
    const m = parse(`# written by hand\n${B1}#\n${I1}# last`);
    expect(m.base?.line).toBe(2);
    expect(m.incr[0]?.line).toBe(4);
  });

  it('accepts \\r\\n line endings and blanks around the tokens', () => {
    const m = parse('file a.1.base.rdb seq 1 type b\r\n\t  file a.1.incr.aof\tseq 1   type i  \t\r\n');
    expect(m.base?.name).toBe('a.1.base.rdb');
    expect(m.incr[0]?.name).toBe('a.1.incr.aof');
  });

  it('matches keys case-insensitively and reads only the first byte of type', () => {
    const m = parse('FILE a.1.base.rdb SEQ 1 TyPe base\nFiLe a.1.incr.aof sEq 1 type incr\nfile old seq 1 type history\n');
    expect(m.base?.name).toBe('a.1.base.rdb');
    expect(m.incr[0]?.name).toBe('a.1.incr.aof');
    expect(m.history[0]?.name).toBe('old');
  });

  it('keeps unknown keys in order, with their original spelling, and Redis 8 offsets', () => {
    const m = parse(`${B1}file a.1.incr.aof seq 1 type i startoffset 0 endoffset 1234\nfile a.2.incr.aof seq 2 FUTURE "x y" type i startoffset 1234\n`);
    expect(m.base?.extra).toEqual([]);
    expect(m.incr[0]?.extra).toEqual([['startoffset', '0'], ['endoffset', '1234']]);
    expect(m.incr[1]?.extra).toEqual([['FUTURE', 'x y'], ['startoffset', '1234']]);
  });

  it('keeps the last value of a repeated key', () => {
    const m = parse('file x.rdb file a.1.base.rdb seq 9 seq 1 type h type b\n');
    expect(m.base).toMatchObject({ name: 'a.1.base.rdb', seq: 1 });
    expect(m.history).toEqual([]);
  });

  it('reads seq like C atoll: blanks, sign, digits up to the first non-digit', () => {
    expect(parse('file a seq 12abc type b\n').base?.seq).toBe(12);
    expect(parse('file a seq " \t+7" type b\n').base?.seq).toBe(7);
    expect(parse('file a seq -3 type b\n').base?.seq).toBe(-3);
    expect(parse('file a seq -3 type h\n').history[0]?.seq).toBe(-3);
    expect(parse(`file a seq ${Number.MAX_SAFE_INTEGER} type i\n`).incr[0]?.seq).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('does not check HISTORY sequence numbers', () => {
    expect(parse('file c seq 3 type h\nfile b seq 3 type h\nfile a seq 1 type h\n').history.map((e) => e.seq)).toEqual([3, 3, 1]);
  });

  it('unquotes double-quoted names with every escape Redis knows', () => {
    const m = parse('file "a b\\n\\r\\t\\b\\a\\"\\q\\x41\\xfF\\xg" seq 1 type b\n');
    expect(m.base?.name).toBe('a b\n\r\t\b\x07"qA\xffxg');
  });

  it('unquotes single-quoted names, where only \\\' is special', () => {
    expect(parse("file 'it\\'s a \"file\"\t' seq 1 type b\n").base?.name).toBe('it\'s a "file"\t');
    expect(splitManifestArgs("'a\\n\\x41'")).toEqual(['a\\n\\x41']);
  });

  it('glues quoted parts into the bare token they start in', () => {
    expect(parse('file a"b c" seq 1 type b\n').base?.name).toBe('ab c');
    expect(parse("file a'b c' seq 1 type b\n").base?.name).toBe('ab c');
  });

  it('cuts a name at a \\x00 escape, as C string code does', () => {
    expect(parse('file "a.1.base.rdb\\x00junk" seq 1 type b\n').base?.name).toBe('a.1.base.rdb');
  });

  it('keeps \\v and \\f inside bare tokens but splits on them between tokens', () => {
    const m = parse('file a\vb seq 1\f type b\v\n');
    expect(m.base?.name).toBe('a\vb');
  });

  it('treats a lone \\r as a token separator, not a line end (so the later keys win)', () => {
    const m = parse('file x seq 1 type h\rfile a.1.base.rdb seq 1 type b\n');
    expect(m.history).toEqual([]);
    expect(m.base).toMatchObject({ name: 'a.1.base.rdb', line: 1 });
  });

  it('accepts an empty name, as Redis does', () => {
    expect(parse('file "" seq 1 type h\n').history[0]?.name).toBe('');
  });

  it('keeps file names as binary strings', () => {
    const m = parseManifest(Buffer.from('file "\\xc3\\xa9t\\xc3\\xa9" seq 1 type b\nfile \xe9 seq 1 type h\n', 'latin1'));
    expect(Buffer.from(m.base?.name ?? '', 'latin1').toString('utf8')).toBe('été');
    expect(m.history[0]?.name).toBe('\xe9');
  });

  it('returns an empty manifest for a file of comments only (Redis starts from an empty data set)', () => {
    expect(parse('# nothing here\n#\n')).toEqual({ history: [], incr: [] });
  });

  it('accepts a line of exactly 1023 bytes plus \\n, and 1022 plus \\r\\n', () => {
    expect(parse(`${lineOfLength(MANIFEST_MAX_LINE - 1)}\n`).base?.extra[0]?.[1]).toHaveLength(1023 - 35);
    expect(parse(`${lineOfLength(MANIFEST_MAX_LINE - 2)}\r\n`).base?.name).toBe('a.1.base.rdb');
  });

  it('skips a comment of 1023 bytes plus \\n', () => {
    expect(parse(`#${'x'.repeat(1022)}\n${B1}`).base?.line).toBe(2);
  });

  it('reads the real manifests from other projects\' fixtures', () => {
    const shake = 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n';
    const fred = 'file appendonly.aof.4.base.rdb seq 4 type b\n';
    expect(loadOrder(parse(shake)).map((e) => e.name)).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof']);
    expect(parse(fred).base).toEqual({ name: 'appendonly.aof.4.base.rdb', seq: 4, type: 'base', extra: [], line: 1 });
    expect(formatManifest(parse(shake))).toBe(shake);
    expect(formatManifest(parse(fred))).toBe(fred);
  });
});

describePeer('parseManifest on the manifests of the peer corpus', () => {
  const peers = [
    `${PEER_DIR}/tair-opensource__RedisShake/test/aof_test/appendonlydir/appendonly.aof.manifest`,
    `${PEER_DIR}/aembke__fred.rs/appendonlydir/appendonly.aof.manifest`,
  ];
  for (const path of peers) {
    it(`parses and re-formats byte for byte: ${path}`, () => {
      const data = readFileSync(path);
      const m = parseManifest(data, path);
      expect(m.base?.type).toBe('base');
      expect(formatManifest(m)).toBe(data.toString('latin1'));
    });
  }
});

describe('parseManifest: what Redis refuses', () => {
  const expectError = (s: string, detail: string, line: number | undefined, offset: number): ManifestError => {
    const error = parseError(s);
    expect(error.detail).toBe(detail);
    expect(error.line).toBe(line);
    expect(error.offset).toBe(offset);
    expect(error.file).toBe('m.manifest');
    return error;
  };

  it('a zero-byte file: Found an empty AOF manifest', () => {
    const error = expectError('', ManifestMessages.empty, undefined, 0);
    expect(error.message).toBe('m.manifest: offset 0: Found an empty AOF manifest');
  });

  it('reports file, offset and line in the message', () => {
    const error = expectError(`${B1}file a seq 0 type i\n`, ManifestMessages.invalid, 2, B1.length);
    expect(error.message).toBe(`m.manifest: offset ${B1.length}: Invalid AOF manifest file format (while reading line 2)`);
    expect(error.lineText).toBe('file a seq 0 type i');
    expect(error.hint).toMatch(/sequence number/);
  });

  it('a last line without a newline: too long line (that is how Redis sees it)', () => {
    const error = expectError(`${B1}file a.1.incr.aof seq 1 type i`, ManifestMessages.tooLong, 2, B1.length);
    expect(error.hint).toMatch(/does not end with a newline/);
    expectError('file a seq 1 type b\r', ManifestMessages.tooLong, 1, 0);
  });

  it('a line of 1024 bytes before \\n, or 1023 before \\r\\n: too long line', () => {
    const error = expectError(`${lineOfLength(MANIFEST_MAX_LINE)}\n`, ManifestMessages.tooLong, 1, 0);
    expect(error.hint).toMatch(/at most 1023 bytes/);
    expectError(`${B1}${lineOfLength(MANIFEST_MAX_LINE - 1)}\r\n`, ManifestMessages.tooLong, 2, B1.length);
  });

  it('a raw NUL byte before the newline: too long line', () => {
    const error = expectError('file a\0 seq 1 type b\n', ManifestMessages.tooLong, 1, 0);
    expect(error.hint).toMatch(/NUL byte at offset 6/);
  });

  it('a comment of exactly 1024 bytes plus \\n leaves a blank piece: invalid format', () => {
    // Redis numbers the leftover "\n" as line 2; we report the physical line and the offset of the piece.
    expectError(`#${'x'.repeat(1023)}\n${B1}`, ManifestMessages.invalid, 1, 1024);
  });

  it('a longer comment is skipped only for its first 1024 bytes', () => {
    expectError(`#${'x'.repeat(1030)}\n${B1}`, ManifestMessages.invalid, 1, 1024);
    // ...unless the rest happens to start with '#' as well.
    expect(parse(`#${'x'.repeat(1023)}#more\n${B1}`).base?.line).toBe(2);
  });

  it('blank and blank-only lines: invalid format', () => {
    expectError(`${B1}\n${I1}`, ManifestMessages.invalid, 2, B1.length);
    expectError(`${B1} \t\r\n`, ManifestMessages.invalid, 2, B1.length);
    expectError('\n', ManifestMessages.invalid, 1, 0);
  });

  it('fewer than 6 tokens, or an odd count: invalid format', () => {
    expectError('file a seq 1\n', ManifestMessages.invalid, 1, 0);
    expectError('file a seq 1 type b extra\n', ManifestMessages.invalid, 1, 0);
  });

  it('file, seq or type missing, seq reading as 0, or an empty type: invalid format', () => {
    expectError('file a seq 1 kind b\n', ManifestMessages.invalid, 1, 0);
    expectError('name a seq 1 type b\n', ManifestMessages.invalid, 1, 0);
    expectError('file a num 1 type b\n', ManifestMessages.invalid, 1, 0);
    expectError('file a seq 0 type b\n', ManifestMessages.invalid, 1, 0);
    expectError('file a seq abc type b\n', ManifestMessages.invalid, 1, 0);
    expectError('file a seq -0 type b\n', ManifestMessages.invalid, 1, 0);
    expectError('file a seq 1 type ""\n', ManifestMessages.invalid, 1, 0);
    expectError('file a seq 1 type "\\x00b"\n', ManifestMessages.invalid, 1, 0);
  });

  it('quoting errors: unbalanced quotes, a closing quote glued to more text', () => {
    expectError('file "a seq 1 type b\n', ManifestMessages.invalid, 1, 0);
    expectError('file "a"b seq 1 type b\n', ManifestMessages.invalid, 1, 0);
    expectError("file 'a seq 1 type b\n", ManifestMessages.invalid, 1, 0);
    expectError("file 'a'b seq 1 type b\n", ManifestMessages.invalid, 1, 0);
    expectError('file "a\\" seq 1 type b\n', ManifestMessages.invalid, 1, 0);
    // A bare apostrophe opens a quote: Redis cannot read a name like this written bare.
    expectError("file a'b seq 1 type b\n", ManifestMessages.invalid, 1, 0);
  });

  it('a name with / or \\: File can\'t be a path, checked before the missing fields', () => {
    expectError('file dir/a seq 1 type b\n', ManifestMessages.path, 1, 0);
    expectError('file "a\\\\b" seq 1 type b\n', ManifestMessages.path, 1, 0);
    expectError('file ../a seq 0 type x\n', ManifestMessages.path, 1, 0);
    expectError('file a/b file c seq 1 type b\n', ManifestMessages.path, 1, 0);
  });

  it('two BASE entries: duplicate base', () => {
    const error = expectError(`${B1}${I1}file a.2.base.rdb seq 2 type b\n`, ManifestMessages.duplicateBase, 3, B1.length + I1.length);
    expect(error.hint).toMatch(/line 1/);
  });

  it('INCR sequence numbers not strictly increasing: non-monotonic', () => {
    expectError(`${I2}${I1}`, ManifestMessages.nonMonotonic, 2, I2.length);
    expectError(`${I1}${I1}`, ManifestMessages.nonMonotonic, 2, I1.length);
    expectError('file a seq -1 type i\n', ManifestMessages.nonMonotonic, 1, 0);
    // HISTORY and BASE lines in between do not reset the count.
    expectError(`${I2}file h seq 9 type h\n${B1}${I1}`, ManifestMessages.nonMonotonic, 4, I2.length + 20 + B1.length);
  });

  it('a type other than b, h or i (case-sensitive): unknown type', () => {
    expectError('file a seq 1 type x\n', ManifestMessages.unknownType, 1, 0);
    expectError('file a seq 1 type B\n', ManifestMessages.unknownType, 1, 0);
  });

  it('refuses a sequence number beyond 2^53 - 1 (ours: Redis would take up to 2^63 - 1)', () => {
    const error = expectError('file a seq 9007199254740992 type b\n', 'sequence number 9007199254740992 is beyond what redback handles (2^53 - 1)', 1, 0);
    expect(error).toBeInstanceOf(CorruptError);
    expectError('file a seq 99999999999999999999999 type b\n', 'sequence number 9223372036854775807 is beyond what redback handles (2^53 - 1)', 1, 0);
  });
});

describe('splitManifestArgs and quoteManifestString', () => {
  it('splits like sdssplitargs', () => {
    expect(splitManifestArgs('')).toEqual([]);
    expect(splitManifestArgs('  a  b\t"c d"  ')).toEqual(['a', 'b', 'c d']);
    expect(splitManifestArgs('"a"\v"b"')).toEqual(['a', 'b']);
    expect(splitManifestArgs('"\\x4"')).toEqual(['x4']);
    expect(splitManifestArgs('"a"b')).toBeNull();
    expect(splitManifestArgs('"a')).toBeNull();
    expect(splitManifestArgs("'a")).toBeNull();
    expect(splitManifestArgs("'a\\b'")).toEqual(['a\\b']);
  });

  it('quotes only what sdscatrepr would, plus \' and the empty string', () => {
    expect(quoteManifestString('appendonly.aof.1.base.rdb')).toBe('appendonly.aof.1.base.rdb');
    expect(quoteManifestString('a b')).toBe('"a b"');
    expect(quoteManifestString('"\\\n\r\t\x07\b\x00\x7f\xff~')).toBe('"\\"\\\\\\n\\r\\t\\a\\b\\x00\\x7f\\xff~"');
    expect(quoteManifestString("it's")).toBe('"it\'s"');
    expect(quoteManifestString('')).toBe('""');
  });

  it('round-trips any binary string through quote and split', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), (codes) => {
        const s = String.fromCharCode(...codes);
        expect(splitManifestArgs(quoteManifestString(s))).toEqual([s]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatManifest', () => {
  const entry = (name: string, seq: number, type: ManifestEntry['type'], extra: [string, string][] = []): ManifestEntry => ({ name, seq, type, extra, line: 0 });

  it('writes BASE, HISTORY, INCR in that order, as Redis does', () => {
    const text = formatManifest({
      incr: [entry('a.3.incr.aof', 3, 'incr')],
      history: [entry('a.2.incr.aof', 2, 'history'), entry('a.2.base.rdb', 2, 'history')],
      base: entry('a.3.base.rdb', 3, 'base'),
    });
    expect(text).toBe('file a.3.base.rdb seq 3 type b\nfile a.2.incr.aof seq 2 type h\nfile a.2.base.rdb seq 2 type h\nfile a.3.incr.aof seq 3 type i\n');
  });

  it('appends extra pairs like Redis 8 appends startoffset/endoffset', () => {
    const text = formatManifest({ history: [], incr: [entry('a.1.incr.aof', 1, 'incr', [['startoffset', '0'], ['endoffset', '1234']])] });
    expect(text).toBe('file a.1.incr.aof seq 1 type i startoffset 0 endoffset 1234\n');
  });

  it('accepts entries without extra and line', () => {
    expect(formatManifest({ base: { name: 'x', seq: 1, type: 'base' }, history: [], incr: [] })).toBe('file x seq 1 type b\n');
  });

  it('quotes names the sdscatrepr way', () => {
    const text = formatManifest({ base: entry('my aof"\xc3\xa9\'x.aof.1.base.rdb', 1, 'base'), history: [], incr: [] });
    expect(text).toBe('file "my aof\\"\\xc3\\xa9\'x.aof.1.base.rdb" seq 1 type b\n');
  });

  it('refuses manifests Redis could not load', () => {
    expect(usageError({ history: [], incr: [] }).detail).toMatch(/empty manifest/);
    expect(usageError({ base: entry('a', 1, 'incr'), history: [], incr: [] }).detail).toMatch(/type 'incr'/);
    expect(usageError({ history: [entry('', 1, 'history')], incr: [] }).detail).toMatch(/empty/);
    expect(usageError({ history: [entry('a/b', 1, 'history')], incr: [] }).detail).toMatch(/path/);
    expect(usageError({ history: [entry('a\\b', 1, 'history')], incr: [] }).detail).toMatch(/path/);
    expect(usageError({ history: [entry('a\0b', 1, 'history')], incr: [] }).detail).toMatch(/NUL/);
    expect(usageError({ history: [entry('日本', 1, 'history')], incr: [] }).detail).toMatch(/above \\xff/);
    expect(usageError({ history: [entry('a', 0, 'history')], incr: [] }).detail).toMatch(/non-zero safe integer/);
    expect(usageError({ history: [entry('a', 1.5, 'history')], incr: [] }).detail).toMatch(/non-zero safe integer/);
    expect(usageError({ history: [], incr: [entry('a', 2, 'incr'), entry('b', 2, 'incr')] }).detail).toMatch(/must increase/);
    expect(usageError({ history: [], incr: [entry('a', -1, 'incr')] }).detail).toMatch(/must increase/);
    expect(usageError({ history: [], incr: [entry('a', 1, 'incr', [['SEQ', '2']])] }).detail).toMatch(/read as 'seq'/);
    expect(usageError({ history: [], incr: [entry('a', 1, 'incr', [['type\0x', '2']])] }).detail).toMatch(/read as 'type'/);
    expect(usageError({ history: [], incr: [entry('a', 1, 'incr', [['pad', 'x'.repeat(1000)]])] }).detail).toMatch(/at most 1023/);
  });

  it('writes the longest line Redis reads', () => {
    const line = lineOfLength(MANIFEST_MAX_LINE - 1);
    expect(formatManifest(parse(`${line}\n`))).toBe(`${line}\n`);
  });

  it('round-trips random manifests: parse(format(m)) is m', () => {
    const nameChar = fc.integer({ min: 1, max: 255 }).filter((c) => c !== 0x2f && c !== 0x5c);
    const name = fc.array(nameChar, { minLength: 1, maxLength: 60 }).map((codes) => String.fromCharCode(...codes));
    const anyString = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }).map((codes) => String.fromCharCode(...codes));
    const key = anyString.filter((k) => !['file', 'seq', 'type'].includes(k.split('\0')[0]?.replace(/[A-Z]/g, (c) => c.toLowerCase()) ?? ''));
    const extra = fc.array(fc.tuple(key, anyString), { maxLength: 3 });
    const seq = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }).filter((n) => n !== 0));
    const fixed = fc.record({
      base: fc.option(fc.record({ name, seq, extra }), { nil: undefined }),
      history: fc.array(fc.record({ name, seq, extra }), { maxLength: 3 }),
      incr: fc.array(fc.record({ name, gap: fc.integer({ min: 1, max: 2 ** 40 }), extra }), { maxLength: 3 }),
    }).filter((r) => r.base !== undefined || r.history.length > 0 || r.incr.length > 0);

    fc.assert(
      fc.property(fixed, (r) => {
        let line = 1;
        let incrSeq = 0;
        const m: Manifest = {
          base: r.base && { ...r.base, type: 'base', line: line++ },
          history: r.history.map((e) => ({ ...e, type: 'history', line: line++ })),
          incr: r.incr.map(({ gap, ...e }) => ({ ...e, seq: (incrSeq += gap), type: 'incr', line: line++ })),
        };
        if (m.base === undefined) delete m.base;
        const text = formatManifest(m);
        expect(text).toMatch(/^[\x20-\x7e\n]*$/);
        expect(parseManifest(bytes(text))).toEqual(m);
        expect(formatManifest(parseManifest(bytes(text)))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isManifest', () => {
  it('decides on the first non-comment line', () => {
    expect(isManifest(bytes(B1))).toBe(true);
    expect(isManifest(bytes(`# c\n#\n${B1}garbage\n`))).toBe(true);
    expect(isManifest(bytes(`garbage\n${B1}`))).toBe(false);
    expect(isManifest(bytes(` ${B1}`))).toBe(false);
    expect(isManifest(bytes(`\n${B1}`))).toBe(false);
    expect(isManifest(bytes('FILE a seq 1 type b\n'))).toBe(false);
    expect(isManifest(bytes('file'))).toBe(true);
    expect(isManifest(bytes('fil'))).toBe(false);
    expect(isManifest(bytes(''))).toBe(false);
    expect(isManifest(bytes('# only a comment\n'))).toBe(false);
    expect(isManifest(writeRdb({ version: 11, items: [{ aux: ['redis-ver', '7.2.4'] }] }))).toBe(false);
    expect(isManifest(bytes('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'))).toBe(false);
  });

  it('reads in 1024-byte pieces like the loader: the rest of a long comment counts as a line', () => {
    expect(isManifest(bytes(`#${'x'.repeat(1023)}\n${B1}`))).toBe(false);
    expect(isManifest(bytes(`#${'x'.repeat(1022)}\n${B1}`))).toBe(true);
    expect(isManifest(bytes(`#${'x'.repeat(1023)}file\n`))).toBe(true);
  });

  it('with scanAll, any non-comment line starting with file counts (Redis before PR #12958)', () => {
    expect(isManifest(bytes(`garbage\n${B1}`), { scanAll: true })).toBe(true);
    expect(isManifest(bytes('*3\r\n$3\r\nset\r\n$4\r\nfile\r\n$1\r\nx\r\n'), { scanAll: true })).toBe(true);
    expect(isManifest(bytes('*3\r\n$3\r\nset\r\n$4\r\nfile\r\n$1\r\nx\r\n'))).toBe(false);
  });
});

describe('file names and load order', () => {
  it('names files the way Redis does', () => {
    expect(DEFAULT_AOF_FILENAME).toBe('appendonly.aof');
    expect(DEFAULT_AOF_DIRNAME).toBe('appendonlydir');
    expect(baseFileName('appendonly.aof', 1, 'rdb')).toBe('appendonly.aof.1.base.rdb');
    expect(baseFileName('appendonly.aof', 12, 'aof')).toBe('appendonly.aof.12.base.aof');
    expect(incrFileName('appendonly.aof', 3)).toBe('appendonly.aof.3.incr.aof');
    expect(manifestFileName()).toBe('appendonly.aof.manifest');
    expect(manifestFileName('my.aof')).toBe('my.aof.manifest');
    expect(tempManifestFileName()).toBe('temp-appendonly.aof.manifest');
    expect(tempIncrFileName('x')).toBe('temp-x.incr');
  });

  it('loads the BASE, then INCR files in manifest order, never HISTORY', () => {
    const m = parse('file b seq 2 type b\nfile h seq 1 type h\nfile i2 seq 2 type i\nfile i3 seq 3 type i\n');
    expect(loadOrder(m).map((e) => e.name)).toEqual(['b', 'i2', 'i3']);
    expect(loadOrder(parse('file i seq 1 type i\n')).map((e) => e.name)).toEqual(['i']);
    expect(loadOrder(parse('file h seq 1 type h\n'))).toEqual([]);
  });
});
