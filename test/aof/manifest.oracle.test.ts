/* cspell:words aembke appendfilename appendonly appendonlydir bgrewrite bgrewriteaof daemonize endoffset mkdtemp opensource redback sdscatrepr sdssplitargs startoffset tair unixsocket */
/**
 * The manifest parser and writer against the real redis-check-aof and redis-server (the unit tests of the
 * same functions are in manifest.test.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_AOF_DIRNAME,
  DEFAULT_AOF_FILENAME,
  ManifestError,
  ManifestMessages,
  baseFileName,
  formatManifest,
  incrFileName,
  isManifest,
  loadOrder,
  manifestFileName,
  parseManifest,
  type Manifest,
  type ManifestInit,
} from '../../src/aof/manifest.js';
import { REMOVE } from '../support/redis.js';

// As in manifest.test.ts: manifest texts as binary strings (one character per byte).
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const parse = (s: string): Manifest => parseManifest(bytes(s), 'm.manifest');

const B1 = 'file a.1.base.rdb seq 1 type b\n';
const I1 = 'file a.1.incr.aof seq 1 type i\n';
const I2 = 'file a.2.incr.aof seq 2 type i\n';

/** A valid BASE line of exactly `length` bytes before its line ending, padded with an unknown key. */
function lineOfLength(length: number): string {
  const head = 'file a.1.base.rdb seq 1 type b pad ';
  return head + 'x'.repeat(length - head.length);
}
// ---------------------------------------------------------------------------------------------------
// Oracle: the real redis-check-aof and redis-server decide the same way.

function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const checkAofBinary = findBinary('redis-check-aof');
const serverBinary = findBinary('redis-server');
const inCi = process.env.CI === 'true';
const tempDirs: string[] = [];

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, REMOVE);
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'redback-manifest-'));
  tempDirs.push(dir);
  return dir;
}

/** Path of a (binary-string) file name inside `dir`, as a Buffer so any byte survives. */
function pathIn(dir: string, name: string): Buffer {
  return Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(name, 'latin1')]);
}

interface RedisVerdict {
  /** Redis took the input for a manifest ("Start checking Multi Part AOF"). */
  multiPart: boolean;
  valid: boolean;
  /** The last message Redis logged (its error text), if it logged any. */
  message: string | undefined;
  /** The line Redis blamed ("Reading the manifest file, at line N"), if any. */
  line: number | undefined;
  output: Buffer;
}

/** Runs redis-check-aof on `manifest` in a fresh directory holding an empty file for each name in `files`. */
function runCheckAof(manifest: Uint8Array, files: string[] = []): RedisVerdict {
  const dir = tempDir();
  const manifestPath = join(dir, 'appendonly.aof.manifest');
  writeFileSync(manifestPath, manifest);
  for (const name of files) writeFileSync(pathIn(dir, name), '');
  const result = spawnSync(checkAofBinary as string, [manifestPath], { timeout: 10_000 });
  const output = Buffer.concat([result.stdout, result.stderr]);
  const text = output.toString('latin1');
  const logged = text.split('\n').flatMap((l) => /^\d+:[A-Z] .*? # (.*)$/.exec(l)?.[1]?.trim() ?? []).filter((l) => l !== '');
  const line = /Reading the manifest file, at line (\d+)/.exec(text)?.[1];
  return {
    multiPart: text.includes('Start checking Multi Part AOF'),
    valid: result.status === 0,
    message: logged.at(-1),
    line: line === undefined ? undefined : Number(line),
    output,
  };
}

if (inCi && (!checkAofBinary || !serverBinary)) {
  it('redis-check-aof and redis-server are installed (required when CI=true)', () => {
    expect(checkAofBinary, 'redis-check-aof not found on PATH').toBeDefined();
    expect(serverBinary, 'redis-server not found on PATH').toBeDefined();
  });
}

interface OracleCase {
  title: string;
  text: string;
  /** The error we and Redis report; absent when the manifest is valid. */
  error?: keyof typeof ManifestMessages;
  /** Redis's line number when it differs from our physical one. */
  redisLine?: number;
}

const oracleCases: OracleCase[] = [
  { title: 'BASE and INCR', text: B1 + I1 },
  { title: '\\r\\n endings', text: `${B1.replace('\n', '\r\n')}${I1.replace('\n', '\r\n')}` },
  { title: 'comments, the last one without a newline', text: `# hi\n${B1}#\n${I1}# end` },
  { title: 'HISTORY in any order', text: 'file a.3.base.rdb seq 3 type b\nfile a.2.incr.aof seq 2 type h\nfile a.1.base.rdb seq 1 type h\nfile a.5.incr.aof seq 5 type h\nfile a.3.incr.aof seq 3 type i\n' },
  { title: 'HISTORY only', text: 'file x seq 1 type h\n' },
  { title: 'case-insensitive keys', text: 'file x seq 1 type h\nFILE a.1.base.rdb SEQ 1 TyPe b\n' },
  { title: 'type spelled out', text: 'file a.1.base.rdb seq 1 type base\nfile a.1.incr.aof seq 1 type incr\n' },
  { title: 'double-quoted name with escapes', text: 'file "my aof\\x01\\"\\tq\\xC3\\xa9\\q.rdb" seq 1 type b\n' },
  { title: 'single-quoted name', text: "file 'it\\'s a.rdb' seq 1 type b\n" },
  { title: 'a bare token running into a quoted part', text: 'file a.1"b c" seq 1 type b\n' },
  { title: 'unknown keys and Redis 8 offsets', text: `${B1}file a.1.incr.aof seq 1 type i startoffset 0 endoffset 1234\nfile a.2.incr.aof seq 2 type i startoffset 1234 future "x y"\n` },
  { title: 'seq read like atoll', text: 'file a.1.base.rdb seq " +12abc" type b\nfile h seq -3 type h\n' },
  { title: 'blanks around tokens', text: `${B1}\t  file a.1.incr.aof\tseq 1   type i  \t\r\n` },
  { title: 'lone \\r separates tokens', text: 'file x seq 1 type h\rfile a.1.base.rdb seq 1 type b\n' },
  { title: '\\v inside a bare token', text: `${B1}file a.1.incr.aof seq 1 type i\v\n` },
  { title: '\\x00 cuts the name', text: 'file "a.1.base.rdb\\x00junk" seq 1 type b\n' },
  { title: 'repeated keys: the last wins', text: 'file x.rdb file a.1.base.rdb seq 9 seq 1 type h type b\n' },
  { title: 'empty name on a HISTORY line', text: 'file "" seq 1 type h\n' },
  { title: 'a 1023-byte line', text: `${lineOfLength(1023)}\n` },
  { title: 'a 1022-byte line with \\r\\n', text: `${lineOfLength(1022)}\r\n` },
  { title: 'a 1023-byte comment', text: `#${'x'.repeat(1022)}\n${B1}` },
  { title: 'no newline after the last line', text: `${B1}file a.1.incr.aof seq 1 type i`, error: 'tooLong' },
  { title: 'a 1024-byte line', text: `${lineOfLength(1024)}\n`, error: 'tooLong' },
  { title: 'a 1023-byte line with \\r\\n', text: `${lineOfLength(1023)}\r\n`, error: 'tooLong' },
  { title: 'a raw NUL byte', text: 'file a\0 seq 1 type b\n', error: 'tooLong' },
  { title: 'a 1024-byte comment', text: `#${'x'.repeat(1023)}\n${B1}`, error: 'invalid', redisLine: 2 },
  { title: 'a blank line', text: `${B1}\n${I1}`, error: 'invalid' },
  { title: 'a line of blanks', text: `${B1} \t\r\n`, error: 'invalid' },
  { title: '4 tokens', text: 'file a seq 1\n', error: 'invalid' },
  { title: '7 tokens', text: 'file a seq 1 type b extra\n', error: 'invalid' },
  { title: 'type missing', text: 'file a seq 1 kind b\n', error: 'invalid' },
  { title: 'file missing', text: 'file x seq 1 type h\nname a seq 1 type b\n', error: 'invalid' },
  { title: 'seq 0', text: 'file a seq 0 type b\n', error: 'invalid' },
  { title: 'seq not a number', text: 'file a seq abc type b\n', error: 'invalid' },
  { title: 'empty type', text: 'file a seq 1 type ""\n', error: 'invalid' },
  { title: 'type starting with \\x00', text: 'file a seq 1 type "\\x00b"\n', error: 'invalid' },
  { title: 'unbalanced "', text: 'file "a seq 1 type b\n', error: 'invalid' },
  { title: 'closing quote glued to text', text: 'file "a"b seq 1 type b\n', error: 'invalid' },
  { title: "unbalanced '", text: "file 'a seq 1 type b\n", error: 'invalid' },
  { title: 'escaped closing quote', text: 'file "a\\" seq 1 type b\n', error: 'invalid' },
  { title: "bare ' in a name", text: "file a'b seq 1 type b\n", error: 'invalid' },
  { title: 'name with /', text: 'file dir/a seq 1 type b\n', error: 'path' },
  { title: 'name with \\', text: 'file "a\\\\b" seq 1 type b\n', error: 'path' },
  { title: 'path checked before missing fields', text: 'file ../a seq 0 type x\n', error: 'path' },
  { title: 'two BASE files', text: `${B1}${I1}file a.2.base.rdb seq 2 type b\n`, error: 'duplicateBase' },
  { title: 'INCR seq going down', text: I2 + I1, error: 'nonMonotonic' },
  { title: 'INCR seq repeated', text: I1 + I1, error: 'nonMonotonic' },
  { title: 'negative INCR seq', text: 'file a seq -1 type i\n', error: 'nonMonotonic' },
  { title: 'type x', text: 'file a seq 1 type x\n', error: 'unknownType' },
  { title: 'type B', text: 'file a seq 1 type B\n', error: 'unknownType' },
];

describe.skipIf(!checkAofBinary)(`oracle: redis-check-aof${checkAofBinary ? ` (${checkAofBinary})` : ' (SKIPPED: redis-check-aof not found on PATH)'}`, () => {
  // Which detection rule the installed binary follows: 7.0.15 (Debian) scans every line, builds with
  // redis/redis PR #12958 decide on the first non-comment line.
  let scanAllRule: boolean | undefined;
  const installedScansAll = (): boolean => (scanAllRule ??= runCheckAof(bytes(`garbage\n${B1}`), ['a.1.base.rdb']).multiPart);

  for (const c of oracleCases) {
    it(`${c.error ? 'refuses' : 'accepts'}: ${c.title}`, () => {
      let ours: Manifest | ManifestError;
      try {
        ours = parse(c.text);
      } catch (error) {
        if (!(error instanceof ManifestError)) throw error;
        ours = error;
      }
      const files = ours instanceof ManifestError ? [] : loadOrder(ours).map((e) => e.name);
      const redis = runCheckAof(bytes(c.text), files);
      expect(redis.multiPart, redis.output.toString('latin1')).toBe(isManifest(bytes(c.text), { scanAll: installedScansAll() }));
      // A newer redis-check-aof does not take a manifest starting with a 1024-byte comment for one.
      if (!redis.multiPart) return;

      if (c.error === undefined) {
        expect(ours).not.toBeInstanceOf(ManifestError);
        expect(redis.valid, redis.output.toString('latin1')).toBe(true);
        expect(redis.message).toBeUndefined();
      } else {
        expect(ours).toBeInstanceOf(ManifestError);
        const error = ours as ManifestError;
        expect(error.detail).toBe(ManifestMessages[c.error]);
        expect(redis.valid).toBe(false);
        expect(redis.message).toBe(error.detail);
        if (redis.line !== undefined) expect(redis.line).toBe(c.redisLine ?? error.line);
      }
    });
  }

  it('accepts a sequence number we refuse as too large (the one deliberate difference)', () => {
    const text = 'file a.1.base.rdb seq 99999999999999999999 type b\n';
    expect(() => parse(text)).toThrow(/beyond what redback handles/);
    expect(runCheckAof(bytes(text), ['a.1.base.rdb']).valid).toBe(true);
  });

  it('takes our accepted cases for manifests and the file names we parsed for the ones it checks', () => {
    const text = 'file "x y\\x01\\xff.rdb" seq 1 type b\nfile "\\x7fi" seq 4 type i\n';
    const names = loadOrder(parse(text)).map((e) => e.name);
    expect(names).toEqual(['x y\x01\xff.rdb', '\x7fi']);
    const redis = runCheckAof(bytes(text), names);
    expect(redis.valid).toBe(true);
    expect(redis.output.includes(Buffer.concat([bytes('BASE AOF '), bytes(names[0] as string), bytes(' is empty')]))).toBe(true);
  });

  it('loads what formatManifest writes, with the very names we meant (random manifests)', () => {
    const nameChar = fc.integer({ min: 1, max: 255 }).filter((c) => c !== 0x2f && c !== 0x5c);
    const name = fc.array(nameChar, { minLength: 1, maxLength: 24 }).map((codes) => String.fromCharCode(...codes)).filter((n) => n !== '.' && n !== '..');
    const manifest = fc.record({
      base: fc.option(name, { nil: undefined }),
      history: fc.array(name, { maxLength: 2 }),
      incr: fc.uniqueArray(name, { maxLength: 3 }),
    }).filter((r) => r.base !== undefined || r.incr.length > 0);
    const samples = fc.sample(manifest, { numRuns: 25, seed: 42 });
    for (const r of samples) {
      const m: ManifestInit = {
        base: r.base === undefined ? undefined : { name: r.base, seq: 1, type: 'base' },
        history: r.history.map((n, i) => ({ name: n, seq: i + 1, type: 'history' })),
        incr: r.incr.map((n, i) => ({ name: n, seq: i + 1, type: 'incr', extra: [['startoffset', String(i * 100)]] })),
      };
      const text = formatManifest(m);
      const files = [...(r.base === undefined ? [] : [r.base]), ...r.incr];
      const redis = runCheckAof(bytes(text), files);
      const output = redis.output.toString('latin1');
      expect(redis.valid, output).toBe(true);
      expect(output).toContain('All AOF files and manifest are valid');
      if (r.base !== undefined) expect(output).toContain(`BASE AOF ${r.base} is empty`);
      for (const n of r.incr) expect(output).toContain(`INCR AOF ${n} is empty`);
    }
  });

  it('isManifest matches the installed redis-check-aof under the rule it follows', () => {
    const inputs = [
      B1,
      `# c\n${B1}`,
      `garbage\n${B1}`,
      '*3\r\n$3\r\nset\r\n$4\r\nfile\r\n$1\r\nx\r\n',
      '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n',
      `#${'x'.repeat(1023)}file a seq 1 type h\n`,
      '# just a comment\n',
    ];
    const version = serverBinary ? spawnSync(serverBinary, ['--version']).stdout.toString() : '';
    // The Debian 7.0.15 build predates the fix; a 7.0 binary should scan every line.
    if (/ v=7\.0\./.test(version)) expect(installedScansAll()).toBe(true);
    for (const input of inputs) {
      const redis = runCheckAof(bytes(input), ['a.1.base.rdb']);
      expect(isManifest(bytes(input), { scanAll: installedScansAll() }), JSON.stringify(input)).toBe(redis.multiPart);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Oracle: a real redis-server writes manifests; we read and rewrite them byte for byte.

interface Server {
  process: ChildProcess;
  socketPath: string;
  exit: Promise<{ code: number | null; log: string }>;
}

function startServer(dir: string, args: string[]): Server {
  const socketPath = join(dir, 'redis.sock');
  const child = spawn(serverBinary as string, ['--port', '0', '--unixsocket', socketPath, '--dir', dir, '--save', '', '--daemonize', 'no', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString('latin1')));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('latin1')));
  const exit = new Promise<{ code: number | null; log: string }>((resolve) => child.on('close', (code) => resolve({ code, log })));
  return { process: child, socketPath, exit };
}

async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGTERM');
  await server.exit;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A minimal RESP client over the server's unix socket: one command at a time. */
class Client {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
  }

  static async connect(path: string, deadline = Date.now() + 5000): Promise<Client> {
    while (true) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path, () => resolve(s));
          s.once('error', reject);
        });
        return new Client(socket);
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(20);
      }
    }
  }

  async command(...args: string[]): Promise<string | number | null> {
    this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    while (true) {
      const reply = this.readReply();
      if (reply !== undefined) return reply;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  private readReply(): string | number | null | undefined {
    const end = this.buffer.indexOf('\r\n');
    if (end === -1) return undefined;
    const head = this.buffer.subarray(1, end).toString();
    const kind = String.fromCharCode(this.buffer[0] as number);
    if (kind === '$') {
      const length = Number(head);
      if (length < 0) return this.consume(end + 2, null);
      if (this.buffer.length < end + 2 + length + 2) return undefined;
      return this.consume(end + 2 + length + 2, this.buffer.subarray(end + 2, end + 2 + length).toString());
    }
    if (kind === '-') throw new Error(`redis replied ${head}`);
    return this.consume(end + 2, kind === ':' ? Number(head) : head);
  }

  private consume<T>(length: number, value: T): T {
    this.buffer = this.buffer.subarray(length);
    return value;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function waitForRewrite(client: Client): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const info = String(await client.command('INFO', 'persistence'));
    if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0')) {
      expect(info).toContain('aof_last_bgrewrite_status:ok');
      return;
    }
    await sleep(20);
  }
  throw new Error('AOF rewrite did not finish');
}

describe.skipIf(!serverBinary || !checkAofBinary)(`oracle: redis-server${serverBinary ? ` (${serverBinary})` : ' (SKIPPED: redis-server not found on PATH)'}`, () => {
  it('re-formats byte for byte the multi-part manifest it writes across two rewrites', async () => {
    const dir = tempDir();
    // A prefix that needs quoting: space, double quote, non-ASCII bytes and an apostrophe.
    const prefix = 'my aof"\xc3\xa9\'x.aof';
    const server = startServer(dir, ['--appendonly', 'yes', '--aof-disable-auto-gc', 'yes', '--appendfilename', Buffer.from(prefix, 'latin1').toString('utf8')]);
    try {
      const client = await Client.connect(server.socketPath);
      try {
        expect(await client.command('SET', 'a', '1')).toBe('OK');
        await client.command('BGREWRITEAOF');
        await waitForRewrite(client);
        expect(await client.command('SET', 'b', '2')).toBe('OK');
        await client.command('BGREWRITEAOF');
        await waitForRewrite(client);
        expect(await client.command('SET', 'c', '3')).toBe('OK');
      } finally {
        client.close();
      }
      const aofDir = join(dir, DEFAULT_AOF_DIRNAME);
      const data = readFileSync(pathIn(aofDir, manifestFileName(prefix)));
      const m = parseManifest(data);

      expect(formatManifest(m)).toBe(data.toString('latin1'));
      expect(m.base).toMatchObject({ name: baseFileName(prefix, 3, 'rdb'), seq: 3 });
      expect(m.incr.map((e) => e.name)).toEqual([incrFileName(prefix, 3)]);
      expect(m.history.map((e) => e.name)).toEqual([incrFileName(prefix, 2), baseFileName(prefix, 2, 'rdb'), incrFileName(prefix, 1), baseFileName(prefix, 1, 'rdb')]);
      expect(data.toString('latin1')).toContain('file "my aof\\"\\xc3\\xa9\'x.aof.3.base.rdb" seq 3 type b\n');

      const onDisk = readdirSync(aofDir, { encoding: 'buffer' }).map((b) => b.toString('latin1'));
      for (const entry of [...loadOrder(m), ...m.history]) expect(onDisk).toContain(entry.name);
      expect(isManifest(data)).toBe(true);
      expect(runCheckAof(data, []).multiPart).toBe(true);
    } finally {
      await stopServer(server);
    }
  });

  it('refuses a zero-byte manifest with "Found an empty AOF manifest", as we do', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, DEFAULT_AOF_DIRNAME));
    writeFileSync(join(dir, DEFAULT_AOF_DIRNAME, manifestFileName()), '');
    const server = startServer(dir, ['--appendonly', 'yes']);
    const { code, log } = await Promise.race([server.exit, sleep(5000).then(() => ({ code: -1, log: 'timeout' }))]);
    await stopServer(server);
    expect(code).toBe(1);
    expect(log).toContain(ManifestMessages.empty);
    expect(() => parseManifest(new Uint8Array(0))).toThrow(ManifestMessages.empty);
  });

  it('starts from a manifest of comments only, which we read as empty', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, DEFAULT_AOF_DIRNAME));
    const manifestPath = join(dir, DEFAULT_AOF_DIRNAME, manifestFileName());
    writeFileSync(manifestPath, '# nothing yet\n');
    expect(parseManifest(readFileSync(manifestPath))).toEqual({ history: [], incr: [] });
    const server = startServer(dir, ['--appendonly', 'yes']);
    try {
      const client = await Client.connect(server.socketPath);
      expect(await client.command('PING')).toBe('PONG');
      client.close();
      // Redis created a BASE for the empty data set and rewrote the manifest.
      const m = parseManifest(readFileSync(manifestPath));
      expect(loadOrder(m).map((e) => e.name)).toEqual([baseFileName(DEFAULT_AOF_FILENAME, 1, 'rdb'), incrFileName(DEFAULT_AOF_FILENAME, 1)]);
    } finally {
      await stopServer(server);
    }
  });
});
