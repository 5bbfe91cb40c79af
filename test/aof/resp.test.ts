// cspell:words argc redback bytewise rpush fgets strtol hset respish uncopied
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferSource, ChunkedInput, iterableSource } from '../../src/bytes/input.js';
import { CorruptError, RedbackError, TruncatedError } from '../../src/errors.js';
import { AofWriter, checkAofStream, checkAofSync, encodeCommand, readAof, readAofSync } from '../../src/aof/resp.js';
import type { AofRecord } from '../../src/aof/resp.js';
import { concat } from '../support/bytes.js';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');


function resp(...commands: (string | Uint8Array)[][]): Uint8Array {
  return concat(commands.flatMap((c) => encodeCommand(c)));
}

type Plain =
  | { kind: 'command'; args: string[]; offset: number; length: number; line: number }
  | { kind: 'annotation'; text: string; offset: number; length: number; timestamp?: number };

function plain(record: AofRecord): Plain {
  if (record.kind === 'command') {
    return { kind: 'command', args: record.args.map(hex), offset: record.offset, length: record.length, line: record.line };
  }
  const out: Plain = { kind: 'annotation', text: hex(record.text), offset: record.offset, length: record.length };
  if (record.timestamp !== undefined) out.timestamp = record.timestamp;
  return out;
}

interface Outcome {
  records: Plain[];
  error?: { name: string; offset: number | undefined; detail: string; message: string };
}

function describeError(error: unknown): Outcome['error'] {
  if (!(error instanceof RedbackError)) throw error;
  return { name: error.name, offset: error.offset, detail: error.detail, message: error.message };
}

function readWhole(data: Uint8Array): Outcome {
  const records: Plain[] = [];
  try {
    for (const record of readAofSync(data, 'test.aof')) records.push(plain(record));
  } catch (error) {
    return { records, error: describeError(error) };
  }
  return { records };
}

async function readChunks(chunks: readonly Uint8Array[], readSize: number): Promise<Outcome> {
  async function* gen(): AsyncGenerator<Uint8Array> {
    for (const chunk of chunks) yield chunk;
  }
  const input = new ChunkedInput(iterableSource(gen(), 'test.aof'), readSize);
  // Keep the records themselves until the end: their views must survive later refills.
  const kept: AofRecord[] = [];
  try {
    for await (const record of readAof(input)) kept.push(record);
  } catch (error) {
    return { records: kept.map(plain), error: describeError(error) };
  }
  return { records: kept.map(plain) };
}

function bytewise(data: Uint8Array): Uint8Array[] {
  return Array.from(data, (b) => Uint8Array.of(b));
}

/** Reads `data` whole, byte by byte, and split in two at every offset; all must agree. Returns the outcome. */
async function threeWays(data: Uint8Array, options: { splits?: boolean } = {}): Promise<Outcome> {
  const whole = readWhole(data);
  expect(await readChunks(bytewise(data), 1), 'byte by byte').toEqual(whole);
  if (options.splits ?? true) {
    for (let cut = 0; cut <= data.length; cut++) {
      const split = await readChunks([data.subarray(0, cut), data.subarray(cut)], cut % 2 === 0 ? 3 : 64);
      expect(split, `split at ${cut}`).toEqual(whole);
    }
  }
  return whole;
}

const BASIC = resp(['SELECT', '0'], ['SET', 'k', 'v'], ['RPUSH', 'list', 'a', 'b', 'c']);

describe('readAof: well-formed input', () => {
  it('reads commands with offsets, lengths and redis-check-aof line numbers', async () => {
    const out = await threeWays(BASIC);
    expect(out.error).toBeUndefined();
    expect(out.records.map((r) => (r.kind === 'command' ? r.args.map((a) => Buffer.from(a, 'hex').toString()) : []))).toEqual([
      ['SELECT', '0'],
      ['SET', 'k', 'v'],
      ['RPUSH', 'list', 'a', 'b', 'c'],
    ]);
    expect(out.records.map((r) => r.offset)).toEqual([0, 23, 50]);
    expect(out.records.map((r) => (r.kind === 'command' ? r.line : 0))).toEqual([1, 6, 13]);
    const last = out.records[2];
    expect(last && last.offset + last.length).toBe(BASIC.length);
  });

  it('keeps binary arguments, "\\r\\n" inside bulk data and empty arguments', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const data = resp(['SET', latin1('a\r\nb'), all], ['APPEND', '', latin1('\r\n')], ['X', latin1('$3\r\n*1\r\n')]);
    const out = await threeWays(data);
    expect(out.error).toBeUndefined();
    expect(out.records[0]).toMatchObject({ args: [hex(latin1('SET')), hex(latin1('a\r\nb')), hex(all)] });
    expect(out.records[1]).toMatchObject({ args: [hex(latin1('APPEND')), '', '0d0a'] });
  });

  it('reads annotations and #TS: timestamps the way Redis does', async () => {
    const data = concat([
      latin1('#TS:1700000000\r\n'),
      resp(['SET', 'a', '1']),
      latin1('#TS:abc\r\n#TS: -5\r\n#TS:\r\n#TS:12\n#hello\n#TS:99999999999999999999\r\n'),
      resp(['SET', 'b', '2']),
      latin1('#unterminated'),
    ]);
    const out = await threeWays(data);
    expect(out.error).toBeUndefined();
    const notes = out.records.filter((r) => r.kind === 'annotation');
    expect(notes.map((r) => Buffer.from((r as { text: string }).text, 'hex').toString())).toEqual([
      'TS:1700000000',
      'TS:abc',
      'TS: -5',
      'TS:',
      'TS:12',
      'hello',
      'TS:99999999999999999999',
      'unterminated',
    ]);
    expect(notes.map((r) => (r as { timestamp?: number }).timestamp)).toEqual([1700000000, undefined, -5, 0, undefined, undefined, undefined, undefined]);
    // Annotations do not count as RESP lines.
    expect(out.records.filter((r) => r.kind === 'command').map((r) => (r as { line: number }).line)).toEqual([1, 8]);
  });

  it('reads an over-long annotation in 1023-byte pieces, like fgets in Redis', async () => {
    const hashes = latin1('#'.repeat(1500) + '\r\n');
    const out = await threeWays(hashes, { splits: false });
    expect(out.records.map((r) => r.length)).toEqual([1023, 479]);
    const long = latin1('#' + 'a'.repeat(1500) + '\r\n');
    const bad = await threeWays(long, { splits: false });
    expect(bad.records).toHaveLength(1);
    expect(bad.error).toMatchObject({ name: 'CorruptError', offset: 1023 });
  });

  it('accepts what strtol accepts in headers', async () => {
    const data = latin1('* 2\r\n$\r3\r\nabc\r\n$+0\r\n\r\n*1\r\n$\r\n\r\n*00001\r\n$-0\r\n\r\n');
    const out = await threeWays(data);
    expect(out.error).toBeUndefined();
    expect(out.records.map((r) => (r as { args: string[] }).args)).toEqual([[hex(latin1('abc')), ''], [''], ['']]);
  });
});

describe('readAof: errors', () => {
  const cases: [string, string, { name: string; offset: number; detail?: string | RegExp }][] = [
    ['bad first byte', 'x', { name: 'CorruptError', offset: 0, detail: /format error.*'x'/ }],
    ['bad first byte after a command', '*1\r\n$1\r\na\r\n\n', { name: 'CorruptError', offset: 11 }],
    ['bad bulk prefix', '*1\r\n%3\r\nabc\r\n', { name: 'CorruptError', offset: 4, detail: "Expected prefix '$', got: '%'" }],
    ['bad CRLF after bulk', '*1\r\n$3\r\nabcX\n', { name: 'CorruptError', offset: 8, detail: 'Expected \\r\\n, got: 580a' }],
    ['high byte in CRLF', '*1\r\n$1\r\na\x80\r', { name: 'CorruptError', offset: 8, detail: 'Expected \\r\\n, got: ffffff800d' }],
    ['junk after argc', '*1x\r\n', { name: 'CorruptError', offset: 0, detail: 'Expected \\r\\n, got: 780d' }],
    ['blank before CRLF', '*1 \r\n', { name: 'CorruptError', offset: 0, detail: 'Expected \\r\\n, got: 200d' }],
    ['negative length', '*1\r\n$-1\r\n', { name: 'CorruptError', offset: 4, detail: /-1 bytes, which is not in the suitable range/ }],
    ['huge length', '*1\r\n$99999999999999999999\r\n', { name: 'CorruptError', offset: 4, detail: /9223372036854775807 bytes/ }],
    ['zero arguments', '*0\r\n', { name: 'CorruptError', offset: 0 }],
    ['negative arguments', '*-2\r\n', { name: 'CorruptError', offset: 0 }],
    ['line longer than fgets reads', '*' + ' '.repeat(124) + '1\r\n$1\r\na\r\n', { name: 'CorruptError', offset: 0 }],
    ['cut in bulk', '*1\r\n$3\r\nab', { name: 'TruncatedError', offset: 8 }],
    ['cut before bulk CRLF', '*1\r\n$3\r\nabc', { name: 'TruncatedError', offset: 8 }],
    ['cut in $ line', '*1\r\n$3\r', { name: 'TruncatedError', offset: 4 }],
    ['cut after $', '*1\r\n$', { name: 'TruncatedError', offset: 4 }],
    ['cut after sign', '*-', { name: 'TruncatedError', offset: 0 }],
    ['cut at line start', '*1\r\n', { name: 'TruncatedError', offset: 4 }],
    ['cut in argc line', '*', { name: 'TruncatedError', offset: 0 }],
    ['huge argc', '*99999999999999999999\r\n$1\r\na\r\n', { name: 'TruncatedError', offset: 30 }],
  ];
  for (const [name, text, expected] of cases) {
    it(name, async () => {
      const out = await threeWays(latin1(text));
      expect(out.error).toMatchObject({ name: expected.name, offset: expected.offset });
      if (expected.detail !== undefined) {
        if (typeof expected.detail === 'string') expect(out.error?.detail).toBe(expected.detail);
        else expect(out.error?.detail).toMatch(expected.detail);
      }
      expect(out.error?.message).toContain('test.aof');
    });
  }

  it('reports only complete commands before a cut, and only TruncatedError for every prefix of a valid file', async () => {
    const data = concat([latin1('#TS:1\r\n'), resp(['SET', 'k', latin1('x\r\ny')], ['MULTI'], ['INCR', 'n'], ['EXEC'])]);
    const full = readWhole(data);
    for (let cut = 0; cut < data.length; cut++) {
      const out = await threeWays(data.subarray(0, cut), { splits: cut % 7 === 0 });
      if (out.error !== undefined) expect(out.error.name).toBe('TruncatedError');
      for (const record of out.records) {
        if (record.kind === 'command') expect(full.records).toContainEqual(record);
        expect(record.offset + record.length).toBeLessThanOrEqual(cut);
      }
    }
  });
});

describe('readAof: streaming', () => {
  it('keeps argument views valid while the window moves, and handles a value larger than a read', async () => {
    const big = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff);
    const data = resp(['SET', 'small', 'v'], ['SET', 'big', big], ['RPUSH', 'l', ...Array.from({ length: 2000 }, (_, i) => `e${i}`)]);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += 4093) chunks.push(data.subarray(at, at + 4093));
    const out = await readChunks(chunks, 1024);
    expect(out).toEqual(readWhole(data));
    expect(out.records[1]).toMatchObject({ args: [hex(latin1('SET')), hex(latin1('big')), hex(big)] });
    expect((out.records[2] as { args: string[] }).args).toHaveLength(2002);
  });

  it('does not buffer towards a huge declared length when the size is known', async () => {
    const data = latin1('*1\r\n$100000000000\r\nabc');
    const input = new ChunkedInput(bufferSource(data, 'h.aof'), 16);
    const records: AofRecord[] = [];
    const error = await (async () => {
      try {
        for await (const record of readAof(input)) records.push(record);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TruncatedError);
    expect(error).toMatchObject({ offset: 19, needed: 100000000002, available: 3 });
    expect(input.buffered).toBeLessThan(1000);
    expect(readWhole(data).error).toMatchObject({ name: 'TruncatedError', offset: 19, detail: (error as TruncatedError).detail });
    const check = await checkAofStream(new ChunkedInput(bufferSource(data, 'h.aof'), 16));
    expect(check.error).toEqual({ offset: 19, message: 'Expected to read 100000000002 bytes, got 3 bytes', truncated: true });
  });

  it('starts at the input offset and reports absolute offsets', async () => {
    const prefix = latin1('PREAMBLE');
    async function* gen(): AsyncGenerator<Uint8Array> {
      yield concat([prefix, BASIC]);
    }
    const input = new ChunkedInput(iterableSource(gen(), 'x'), 5);
    await input.take(prefix.length);
    const records: AofRecord[] = [];
    for await (const record of readAof(input)) records.push(record);
    expect(records.map((r) => r.offset)).toEqual([8, 31, 58]);
  });
});

describe('fuzzing', () => {
  const base = concat([
    latin1('#TS:1700000000\r\n'),
    resp(['SELECT', '0'], ['SET', 'key', latin1('va\r\nl')], ['MULTI'], ['INCR', 'c'], ['EXEC'], ['DEL', '']),
    latin1('#note\r\n'),
    resp(['HSET', 'h', 'f', '1', 'g', '2']),
  ]);

  const mutated = fc
    .array(
      fc.oneof(
        fc.record({ op: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: fc.constantFrom(0x2a, 0x24, 0x0d, 0x0a, 0x23, 0x30, 0x39, 0x2d, 0x20, 0x00, 0xff) }),
        fc.record({ op: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
        fc.record({ op: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((ops) => {
      let bytes = Array.from(base);
      for (const { op, at, value } of ops) {
        const i = bytes.length === 0 ? 0 : at % (bytes.length + (op === 'insert' ? 1 : 0));
        if (op === 'flip' && i < bytes.length) bytes[i] = (bytes[i] as number) ^ value;
        else if (op === 'insert') bytes.splice(i, 0, value);
        else if (op === 'delete') bytes.splice(i, 1);
        else bytes = bytes.slice(0, i);
      }
      return Uint8Array.from(bytes);
    });

  const respish = fc
    .array(fc.constantFrom(...'*$#\r\n\r\n0123-+ aZ\x00'.split('').map((c) => c.charCodeAt(0)), ...[0x2a, 0x24, 0x0d, 0x0a, 0x31]), { maxLength: 60 })
    .map((a) => Uint8Array.from(a));

  it('mutated input only ever raises RedbackError subclasses, the same whole and streamed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, respish), async (data) => {
        const whole = readWhole(data);
        if (whole.error) expect(['CorruptError', 'TruncatedError']).toContain(whole.error.name);
        const chunks: Uint8Array[] = [];
        for (let at = 0; at < data.length; at += 5) chunks.push(data.subarray(at, at + 5));
        expect(await readChunks(chunks, 2)).toEqual(whole);
        // The checker never throws, streamed or not, and agrees with itself.
        const sync = checkAofSync(data, { file: 'f' });
        const streamed = await checkAofStream(new ChunkedInput(iterableSource((async function* () { yield* chunks; })(), 'f'), 3));
        expect(streamed).toEqual(sync);
        // Whatever the reader accepts completely, the checker accepts (the reader is not more lenient).
        if (!whole.error && !whole.records.some((r) => r.kind === 'command' && /^(multi|exec)/i.test(Buffer.from(r.args[0] ?? '', 'hex').toString('latin1')))) {
          expect(sync.valid).toBe(true);
        }
      }),
      { numRuns: 400, seed: 20240601 },
    );
  });

  it('errors carry the file and an offset inside the data', () => {
    fc.assert(
      fc.property(mutated, (data) => {
        try {
          for (const unused of readAofSync(data, 'm.aof')) void unused;
        } catch (error) {
          expect(error).toBeInstanceOf(RedbackError);
          const e = error as RedbackError;
          expect(e.file).toBe('m.aof');
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(data.length);
          expect(error instanceof CorruptError || error instanceof TruncatedError).toBe(true);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('writer', () => {
  it('encodes a command as RESP, handing large arguments out uncopied', () => {
    const big = new Uint8Array(5000).fill(0x61);
    const pieces = encodeCommand(['SET', 'k', big, 'é']);
    expect(pieces[1]).toBe(big);
    expect(Buffer.from(concat(pieces)).toString('latin1')).toBe(
      `*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$5000\r\n${'a'.repeat(5000)}\r\n$2\r\n\xc3\xa9\r\n`,
    );
    expect(encodeCommand(['PING'])).toHaveLength(1);
    expect(() => encodeCommand([])).toThrow(RedbackError);
  });

  it('batches small pieces into chunks and passes large ones through', async () => {
    const chunks: Uint8Array[] = [];
    const writer = new AofWriter({ write: async (chunk) => void chunks.push(chunk) }, { chunkSize: 1024 });
    const big = new Uint8Array(100_000).fill(1);
    for (let i = 0; i < 100; i++) await writer.writeCommand(['SET', `key${i}`, 'value']);
    await writer.writeCommand(['SET', 'big', big]);
    await writer.writeTimestamp(1700000000);
    await writer.writeAnnotation('hello');
    await writer.flush();
    expect(chunks.some((c) => c === big)).toBe(true);
    for (const c of chunks) if (c !== big) expect(c.length).toBeLessThanOrEqual(1024);
    const data = concat(chunks);
    expect(writer.bytesWritten).toBe(data.length);
    const records = [...readAofSync(data)];
    expect(records).toHaveLength(103);
    expect(records[101]).toMatchObject({ kind: 'annotation', timestamp: 1700000000 });
    await expect(writer.writeAnnotation('a\r\nb')).rejects.toThrow(RedbackError);
    await expect(writer.writeAnnotation('x'.repeat(1021))).rejects.toThrow(RedbackError);
    await writer.writeAnnotation('x'.repeat(1020));
  });

  it('round trip: writer then reader gives back the same records (property)', async () => {
    const arg = fc.oneof(
      { weight: 8, arbitrary: fc.uint8Array({ maxLength: 30 }) },
      { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(0), latin1('\r\n'), latin1('*1\r\n$1\r\na\r\n'), latin1('#TS:1\r\n')) },
      { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70_000 }).map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff)) },
    );
    const item = fc.oneof(
      { weight: 6, arbitrary: fc.array(arg, { minLength: 1, maxLength: 6 }).map((args) => ({ args })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 40 }).map((ts) => ({ ts })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)).map((note) => ({ note })) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 25 }), fc.constantFrom(64, 1024, 65536), async (items, chunkSize) => {
        const chunks: Uint8Array[] = [];
        const writer = new AofWriter({ write: async (chunk) => void chunks.push(chunk) }, { chunkSize });
        for (const it of items) {
          if ('args' in it) await writer.writeCommand(it.args);
          else if ('ts' in it) await writer.writeTimestamp(it.ts);
          else await writer.writeAnnotation(it.note);
        }
        await writer.flush();
        const data = concat(chunks);
        const expected = items.map((it) =>
          'args' in it ? { kind: 'command', args: it.args.map(hex) } : 'ts' in it ? { kind: 'annotation', timestamp: it.ts } : { kind: 'annotation', text: hex(new TextEncoder().encode(it.note)) },
        );
        const whole = readWhole(data);
        expect(whole.error).toBeUndefined();
        expect(whole.records).toMatchObject(expected);
        const streamed = await readChunks(chunks, 512);
        expect(streamed).toEqual(whole);
      }),
      { numRuns: 150, seed: 99 },
    );
  });
});
