/**
 * Test harness for driving a real `redis-server` (Debian's 7.0 build) from vitest.
 *
 * - `describeWithRedis` runs a suite only where redis-server exists, and fails instead of
 *   skipping when `CI=true`.
 * - `startRedis` starts a private server on 127.0.0.1 in a temp dir; `loadRdbDigest` and
 *   `loadAofDigest` load a file and report what the server made of it.
 * - A small RESP2 client (`RespClient`, `RespParser`, `encodeCommand`) written for these
 *   tests, with pipelining.
 * - `runTool` runs redis-check-rdb / redis-check-aof and collects their output.
 *
 * Every server and temp dir is tracked: `describeWithRedis` removes what its suite started,
 * `stopAll()` removes everything, and a process `exit` hook kills what is left.
 */
// cspell:words appendonly appenddirname appendfilename appendonlydir dbfilename daemonize keyspace logfile mkdtemp nosave redback

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, rmSync, statSync } from 'node:fs';
import { copyFile, cp, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';

// ---------------------------------------------------------------------------------------------
// Availability

const REDIS_SERVER = 'redis-server';
const INSTALL_HINT = "install Debian's redis-server";

/** True when an executable `redis-server` is on PATH. */
export function redisAvailable(): boolean {
  return findOnPath(REDIS_SERVER) !== undefined;
}

/** Whether redis-server was found on PATH when this module loaded. */
export const haveRedis: boolean = redisAvailable();

/**
 * Throws when redis-server is missing.
 * @throws Error naming the missing binary and how to install it.
 */
export function requireRedis(): void {
  if (!haveRedis) throw new Error(`redis-server not found on PATH; ${INSTALL_HINT}`);
}

/**
 * A `describe` that needs a real server. Without redis-server the suite is skipped with a
 * message, except when `process.env.CI === 'true'`: then it contains one failing test.
 * Servers and temp dirs created while the suite runs are stopped and removed after it.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  if (!haveRedis) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs redis-server', () => {
          throw new Error(`redis-server not found: ${name} cannot be skipped when CI=true; ${INSTALL_HINT}`);
        });
      });
      return;
    }
    const message = `redis-server not found: skipping ${name}; ${INSTALL_HINT}`;
    console.warn(message);
    describe.skip(message, fn);
    return;
  }
  describe(name, () => {
    let mark = 0;
    // Registered before the suite's own hooks: runs first in beforeAll and, since vitest runs
    // after-hooks in reverse order, last in afterAll.
    beforeAll(() => {
      mark = resourceCounter;
    });
    afterAll(async () => {
      await releaseResources((sequence) => sequence > mark);
    });
    fn();
  });
}

function findOnPath(binary: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, binary);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// RESP2: encoding commands, parsing replies

/** A command argument: text is sent as UTF-8, bytes as they are. */
export type RedisArg = string | Uint8Array;

/**
 * A parsed RESP2 reply: simple string → string, integer → number (bigint beyond 2^53),
 * bulk string → Buffer, nil bulk or nil array → null, array → array. Error replies nested
 * inside an array (EXEC) appear as RedisReplyError values; a top-level error rejects.
 */
export type RespValue = string | number | bigint | Buffer | null | RedisReplyError | RespValue[];

/** An error reply from the server; `message` is the server's text, e.g. "ERR syntax error". */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
  /** Upper-cased name of the command that failed, when known. */
  command: string | undefined;
  /** Position of the failed command in a `callMany` batch. */
  index: number | undefined;

  constructor(message: string, command?: string, index?: number) {
    super(message);
    this.command = command;
    this.index = index;
  }
}

const CRLF = Buffer.from('\r\n');

function toBuffer(arg: RedisArg): Buffer {
  if (typeof arg === 'string') return Buffer.from(arg, 'utf8');
  return Buffer.isBuffer(arg) ? arg : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
}

/** Encodes one command as a RESP array of bulk strings: `*N` CRLF, then N × (`$len` CRLF bytes CRLF). */
export function encodeCommand(args: readonly RedisArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = toBuffer(arg);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/**
 * Incremental RESP2 reply parser: feed chunks with `push`, whole replies come out through
 * the callback in order. Partial arrays are kept on a stack, and a bulk string whose length
 * is known is waited for without re-scanning, so big replies arriving in small chunks stay
 * linear.
 */
export class RespParser {
  readonly #onReply: (value: RespValue) => void;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes (from the start of the unparsed data) needed before parsing can progress. */
  #needed = 1;
  readonly #stack: { items: RespValue[]; length: number }[] = [];

  constructor(onReply: (value: RespValue) => void) {
    this.#onReply = onReply;
  }

  /**
   * Adds bytes received from the server.
   * @throws Error on a byte that is not valid RESP2 (the stream cannot be resynchronised).
   */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) return;
    const data = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    let offset = 0;
    while (offset < data.length) {
      const next = this.#parseItem(data, offset);
      if (next < 0) break;
      offset = next;
    }
    if (offset >= data.length) this.#needed = 1;
    const rest = data.subarray(offset);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
  }

  /** True when no reply is partly received. */
  get idle(): boolean {
    return this.#buffered === 0 && this.#stack.length === 0;
  }

  /** Parses the item starting at `start`; returns the offset after it, or -1 if incomplete. */
  #parseItem(data: Buffer, start: number): number {
    const lineEnd = data.indexOf(CRLF, start + 1);
    if (lineEnd < 0) {
      this.#needed = data.length - start + 1;
      return -1;
    }
    const type = data[start];
    switch (type) {
      case 0x2b: // '+' simple string
        this.#emit(data.toString('utf8', start + 1, lineEnd));
        return lineEnd + 2;
      case 0x2d: // '-' error
        this.#emit(new RedisReplyError(data.toString('utf8', start + 1, lineEnd)));
        return lineEnd + 2;
      case 0x3a: // ':' integer
        this.#emit(parseInteger(data.toString('latin1', start + 1, lineEnd)));
        return lineEnd + 2;
      case 0x24: { // '$' bulk string
        const length = Number(data.toString('latin1', start + 1, lineEnd));
        if (length === -1) {
          this.#emit(null);
          return lineEnd + 2;
        }
        if (!Number.isInteger(length) || length < 0) throw new Error(`RESP: bad bulk length at byte ${start}`);
        const bodyStart = lineEnd + 2;
        const end = bodyStart + length + 2;
        if (data.length < end) {
          this.#needed = end - start;
          return -1;
        }
        if (data[end - 2] !== 0x0d || data[end - 1] !== 0x0a) throw new Error(`RESP: bulk string not followed by CRLF at byte ${end - 2}`);
        this.#emit(data.subarray(bodyStart, bodyStart + length));
        return end;
      }
      case 0x2a: { // '*' array
        const length = Number(data.toString('latin1', start + 1, lineEnd));
        if (length === -1) this.#emit(null);
        else if (length === 0) this.#emit([]);
        else if (Number.isInteger(length) && length > 0) this.#stack.push({ items: [], length });
        else throw new Error(`RESP: bad array length at byte ${start}`);
        return lineEnd + 2;
      }
      default:
        throw new Error(`RESP: unexpected type byte 0x${(type ?? 0).toString(16).padStart(2, '0')} at byte ${start}`);
    }
  }

  #emit(value: RespValue): void {
    let current = value;
    while (true) {
      const top = this.#stack.at(-1);
      if (top === undefined) {
        this.#onReply(current);
        return;
      }
      top.items.push(current);
      if (top.items.length < top.length) return;
      this.#stack.pop();
      current = top.items;
    }
  }
}

function parseInteger(text: string): number | bigint {
  const value = Number(text);
  if (Number.isSafeInteger(value)) return value;
  return BigInt(text);
}

interface PendingReply {
  command: string;
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
}

/** One connection to a server speaking RESP2; replies are matched to commands in order. */
export class RespClient {
  readonly #socket: net.Socket;
  readonly #parser: RespParser;
  readonly #pending: (PendingReply | undefined)[] = [];
  #head = 0;
  #closedError: Error | undefined;

  private constructor(socket: net.Socket, address: string) {
    this.#socket = socket;
    this.#parser = new RespParser((value) => this.#deliver(value));
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#parser.push(chunk);
      } catch (error) {
        this.#fail(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error(`connection to ${address} closed`)));
  }

  /**
   * Connects to host:port.
   * @throws the socket error (e.g. ECONNREFUSED) or a timeout error.
   */
  static connect(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RespClient(socket, `${host}:${port}`));
      });
    });
  }

  /** True once the connection is gone. */
  get closed(): boolean {
    return this.#closedError !== undefined;
  }

  /**
   * Sends one command.
   * @throws RedisReplyError with the server's message for an error reply; Error when the
   *   connection closes first.
   */
  call(...args: RedisArg[]): Promise<RespValue> {
    const [promise] = this.#send([args]);
    return promise as Promise<RespValue>;
  }

  /**
   * Pipelines many commands in one write and returns their replies in order.
   * @throws RedisReplyError for the first command that got an error reply (its `index` is set),
   *   after all replies have arrived.
   */
  async callMany(commands: readonly (readonly RedisArg[])[]): Promise<RespValue[]> {
    const settled = await Promise.allSettled(this.#send(commands));
    const values: RespValue[] = [];
    for (const [index, outcome] of settled.entries()) {
      if (outcome.status === 'rejected') {
        const reason: unknown = outcome.reason;
        if (reason instanceof RedisReplyError) reason.index = index;
        throw reason;
      }
      values.push(outcome.value);
    }
    return values;
  }

  /** Closes the connection; pending commands are rejected. */
  close(): void {
    this.#socket.destroy();
    this.#fail(new Error('connection closed by client'));
  }

  #send(commands: readonly (readonly RedisArg[])[]): Promise<RespValue>[] {
    const promises = commands.map((args) => new Promise<RespValue>((resolve, reject) => {
      const command = args.length > 0 ? toBuffer(args[0] as RedisArg).toString('latin1').toUpperCase() : '';
      if (this.#closedError !== undefined) reject(this.#closedError);
      else this.#pending.push({ command, resolve, reject });
    }));
    if (this.#closedError === undefined && commands.length > 0) {
      this.#socket.write(Buffer.concat(commands.map((args) => encodeCommand(args))));
    }
    return promises;
  }

  #deliver(value: RespValue): void {
    const waiter = this.#pending[this.#head];
    if (waiter === undefined) return; // unsolicited: nothing waits for it
    this.#pending[this.#head] = undefined;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending.splice(0, this.#head);
      this.#head = 0;
    }
    if (value instanceof RedisReplyError) {
      value.command = waiter.command;
      waiter.reject(value);
    } else {
      waiter.resolve(value);
    }
  }

  #fail(error: Error): void {
    if (this.#closedError === undefined) this.#closedError = error;
    const waiting = this.#pending.splice(this.#head);
    this.#pending.length = 0;
    this.#head = 0;
    for (const waiter of waiting) waiter?.reject(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Resource tracking

interface TrackedServer {
  sequence: number;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/**
 * How temp dirs are removed: retried when a file appears meanwhile (ENOTEMPTY), as when a test that timed
 * out is still writing while its afterAll runs.
 */
export const REMOVE = { recursive: true, force: true, maxRetries: 10, retryDelay: 100 } as const;

let resourceCounter = 0;
const liveServers = new Set<TrackedServer>();
const tempDirs = new Map<string, number>();

process.once('exit', () => {
  for (const server of liveServers) server.child.kill('SIGKILL');
  for (const dir of tempDirs.keys()) rmSync(dir, REMOVE);
});

async function releaseResources(select: (sequence: number) => boolean): Promise<void> {
  const servers = [...liveServers].filter((server) => select(server.sequence));
  await Promise.allSettled(servers.map((server) => server.stop()));
  const dirs = [...tempDirs].filter(([, sequence]) => select(sequence)).map(([dir]) => dir);
  for (const dir of dirs) {
    tempDirs.delete(dir);
    await rm(dir, REMOVE);
  }
}

/** Creates a temp dir that is removed by `stopAll()` (or when the enclosing `describeWithRedis` ends). */
export async function makeTempDir(prefix = 'redback-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.set(dir, ++resourceCounter);
  return dir;
}

async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir);
  await rm(dir, REMOVE);
}

/** Stops every server this module started and removes every temp dir it made. For `afterAll`. */
export async function stopAll(): Promise<void> {
  await releaseResources(() => true);
}

// ---------------------------------------------------------------------------------------------
// Servers

export interface StartRedisOptions {
  /** Working dir (RDB, AOF, log, config). Default: a new temp dir, removed by `stop()`. */
  dir?: string;
  /** RDB file name inside `dir` (Redis default `dump.rdb`). */
  dbfilename?: string;
  appendonly?: boolean;
  /** AOF directory name inside `dir` (Redis default `appendonlydir`). */
  appenddirname?: string;
  /** AOF base name (Redis default `appendonly.aof`). */
  appendfilename?: string;
  /**
   * More config lines, written after ours (so they override): `{ directive: 'rest of line' }`.
   * The value is written verbatim, so several arguments are fine; `''` becomes `""`.
   */
  extraConfig?: Record<string, string>;
  /** How long to wait for PING to answer. Default 10 000 ms. */
  startTimeoutMs?: number;
}

export interface RedisHandle {
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /**
   * Sends one command.
   * @throws RedisReplyError with the server's message on an error reply.
   */
  call(...args: RedisArg[]): Promise<RespValue>;
  /** Pipelines commands in one write; replies in order. @throws RedisReplyError (first error). */
  callMany(commands: readonly (readonly RedisArg[])[]): Promise<RespValue[]>;
  /** `DEBUG DIGEST`: 40 hex digits, all zeros for an empty dataset. */
  digest(): Promise<string>;
  /** `DEBUG DIGEST-VALUE key` in the currently selected db. */
  digestValue(key: RedisArg): Promise<string>;
  /** `SHUTDOWN NOSAVE`, waits for exit (SIGKILL after 5 s), removes a temp dir it created. Idempotent. */
  stop(): Promise<void>;
  /** The server's log for this run (plus anything it printed to stdout/stderr). */
  log(): string;
}

/** Thrown when a server exits or does not answer while starting; `log` holds its log. */
export class RedisStartError extends Error {
  override readonly name = 'RedisStartError';
  readonly log: string;
  readonly exitCode: number | null;

  constructor(message: string, log: string, exitCode: number | null) {
    super(`${message}\n--- redis log tail ---\n${tail(log, 40)}`);
    this.log = log;
    this.exitCode = exitCode;
  }
}

const MAX_PORT_ATTEMPTS = 10;

/**
 * Starts redis-server on 127.0.0.1 at a random free port in 20000–60000, from a generated
 * config file (`<dir>/redis.conf`, log in `<dir>/redis.log`) with debug commands on and
 * saving off, and waits until PING answers.
 * @throws RedisStartError with the log tail when the server exits or does not answer in time.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  requireRedis();
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await makeTempDir('redback-redis-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await pickPort();
      try {
        return await launch(port, dir, ownsDir, options);
      } catch (error) {
        const clash = error instanceof RedisStartError && /Address already in use|bind: .*in use/i.test(error.log);
        if (!clash || attempt >= MAX_PORT_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    if (ownsDir) await removeTempDir(dir);
    throw error;
  }
}

function quoteConfig(value: string): string {
  if (/^[\w./:+@-]+$/.test(value)) return value;
  let quoted = '"';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) quoted += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) quoted += String.fromCharCode(byte);
    else quoted += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${quoted}"`;
}

function buildConfig(port: number, dir: string, options: StartRedisOptions): string {
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode no',
    'daemonize no',
    'enable-debug-command yes',
    'save ""',
    `dir ${quoteConfig(dir)}`,
    `logfile ${quoteConfig(path.join(dir, 'redis.log'))}`,
  ];
  if (options.dbfilename !== undefined) lines.push(`dbfilename ${quoteConfig(options.dbfilename)}`);
  if (options.appendonly !== undefined) lines.push(`appendonly ${options.appendonly ? 'yes' : 'no'}`);
  if (options.appenddirname !== undefined) lines.push(`appenddirname ${quoteConfig(options.appenddirname)}`);
  if (options.appendfilename !== undefined) lines.push(`appendfilename ${quoteConfig(options.appendfilename)}`);
  for (const [directive, value] of Object.entries(options.extraConfig ?? {})) {
    if (/[\r\n]/.test(directive + value)) throw new Error(`extraConfig ${directive}: line breaks are not allowed`);
    lines.push(`${directive} ${value === '' ? '""' : value}`);
  }
  return `${lines.join('\n')}\n`;
}

async function pickPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 40_001);
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port found in 20000-60000');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function launch(port: number, dir: string, ownsDir: boolean, options: StartRedisOptions): Promise<RedisHandle> {
  const configPath = path.join(dir, 'redis.conf');
  const logPath = path.join(dir, 'redis.log');
  await writeFile(configPath, buildConfig(port, dir, options));
  const logStart = fileSize(logPath);
  let consoleOutput = '';
  let cachedLog: string | undefined;
  const readLog = (): string => {
    if (cachedLog !== undefined) return cachedLog;
    let text = '';
    try {
      text = readFileSync(logPath).subarray(logStart).toString('utf8');
    } catch {
      // no log yet
    }
    return consoleOutput === '' ? text : `${text}\n--- stdout/stderr ---\n${consoleOutput}`;
  };

  const child = spawn(REDIS_SERVER, [configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (text: string) => (consoleOutput += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (consoleOutput += text));
  let exitCode: number | null = null;
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      if (signal !== null) consoleOutput += `\n(redis-server killed by ${signal})`;
      resolve();
    });
    child.once('error', (error) => {
      exited = true;
      consoleOutput += `\n(spawn failed: ${error.message})`;
      resolve();
    });
  });

  let client: RespClient | undefined;
  let stopping: Promise<void> | undefined;
  const tracked: TrackedServer = { sequence: ++resourceCounter, child, stop: () => stop() };
  liveServers.add(tracked);

  /** SHUTDOWN NOSAVE (or a signal), wait for the exit (SIGKILL after 5 s), keep the log. */
  const shutdown = async (graceful: boolean, removeDir: boolean): Promise<void> => {
    if (!exited) {
      if (graceful && client !== undefined && !client.closed) {
        await Promise.race([client.call('SHUTDOWN', 'NOSAVE').catch(() => undefined), sleep(2_000)]);
      } else {
        child.kill(graceful ? 'SIGTERM' : 'SIGKILL');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    client?.close();
    cachedLog = readLog();
    liveServers.delete(tracked);
    if (removeDir) await removeTempDir(dir);
  };
  const stop = (): Promise<void> => (stopping ??= shutdown(true, ownsDir));

  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  try {
    while (true) {
      if (exited) throw new RedisStartError(`redis-server exited with code ${String(exitCode)} while starting (port ${port}, dir ${dir})`, readLog(), exitCode);
      if (Date.now() > deadline) throw new RedisStartError(`redis-server did not answer PING within ${timeoutMs} ms (port ${port}, dir ${dir})`, readLog(), exitCode);
      client = await RespClient.connect(port, '127.0.0.1', 1_000).catch(() => undefined);
      if (client !== undefined) {
        if (await isOurReadyServer(client, child.pid)) break;
        client.close();
        client = undefined;
      }
      await sleep(25);
    }
  } catch (error) {
    // The dir stays: startRedis removes it if it made it (and may retry on another port).
    await (stopping ??= shutdown(false, false));
    throw error;
  }

  const ready = client as RespClient; // the loop only breaks with a connected client
  return {
    port,
    dir,
    pid: child.pid ?? -1,
    call: (...args) => ready.call(...args),
    callMany: (commands) => ready.callMany(commands),
    digest: async () => String(await ready.call('DEBUG', 'DIGEST')),
    digestValue: async (key) => {
      const reply = await ready.call('DEBUG', 'DIGEST-VALUE', key);
      return String(Array.isArray(reply) ? reply[0] : reply);
    },
    stop,
    log: readLog,
  };
}

/** PING answers (not LOADING) and INFO's process_id is our child, not some other server on the port. */
async function isOurReadyServer(client: RespClient, pid: number | undefined): Promise<boolean> {
  try {
    if ((await client.call('PING')) !== 'PONG') return false;
    const info = String(await client.call('INFO', 'server'));
    return new RegExp(`^process_id:${String(pid)}\\r?$`, 'm').test(info);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading files

export interface LoadDigest {
  /** `DEBUG DIGEST` after loading. */
  digest: string;
  /** Keys over all dbs (INFO keyspace). */
  keys: number;
  /** The server's log. */
  log: string;
}

export interface LoadOptions {
  /** How long loading may take. Default 10 000 ms. */
  startTimeoutMs?: number;
  /** More config lines, as in `StartRedisOptions`. */
  extraConfig?: Record<string, string>;
}

/**
 * Loads an RDB file into a fresh server (as `dump.rdb` in a temp dir) and reports its digest
 * and key count. Keys whose expiry has passed are dropped by the server while loading.
 * @throws RedisStartError with the log tail when the server refuses the file.
 */
export async function loadRdbDigest(rdbPath: string, options: LoadOptions = {}): Promise<LoadDigest> {
  const dir = await makeTempDir('redback-rdb-');
  try {
    await copyFile(rdbPath, path.join(dir, 'dump.rdb'));
    return await digestOf(rdbPath, {
      dir,
      dbfilename: 'dump.rdb',
      extraConfig: options.extraConfig,
      startTimeoutMs: options.startTimeoutMs,
    });
  } finally {
    await removeTempDir(dir);
  }
}

/**
 * Loads an AOF into a fresh server with `aof-load-truncated no` and reports its digest and key
 * count. A file is placed as `appendonly.aof` (Redis 7 migrates it into `appendonlydir/`); a
 * directory must hold a `<name>.manifest` and is copied as `appendonlydir/` with
 * `appendfilename <name>`.
 * @throws RedisStartError with the log tail when the server refuses the AOF.
 */
export async function loadAofDigest(aofPath: string, options: LoadOptions = {}): Promise<LoadDigest> {
  const dir = await makeTempDir('redback-aof-');
  try {
    let appendfilename = 'appendonly.aof';
    if ((await stat(aofPath)).isDirectory()) {
      const manifests = (await readdir(aofPath)).filter((name) => name.endsWith('.manifest'));
      if (manifests.length !== 1) {
        throw new Error(`${aofPath}: expected exactly one *.manifest file, found ${manifests.length}`);
      }
      appendfilename = (manifests[0] as string).slice(0, -'.manifest'.length);
      await cp(aofPath, path.join(dir, 'appendonlydir'), { recursive: true });
    } else {
      await copyFile(aofPath, path.join(dir, appendfilename));
    }
    return await digestOf(aofPath, {
      dir,
      appendonly: true,
      appenddirname: 'appendonlydir',
      appendfilename,
      extraConfig: { 'aof-load-truncated': 'no', ...options.extraConfig },
      startTimeoutMs: options.startTimeoutMs,
    });
  } finally {
    await removeTempDir(dir);
  }
}

async function digestOf(source: string, options: StartRedisOptions): Promise<LoadDigest> {
  let server: RedisHandle;
  try {
    server = await startRedis(options);
  } catch (error) {
    if (error instanceof RedisStartError) {
      throw new RedisStartError(`redis-server could not load ${source}: ${error.message.split('\n')[0] ?? ''}`, error.log, error.exitCode);
    }
    throw error;
  }
  try {
    const digest = await server.digest();
    const keyspace = String(await server.call('INFO', 'keyspace'));
    let keys = 0;
    for (const match of keyspace.matchAll(/^db\d+:keys=(\d+)/gm)) keys += Number(match[1]);
    await server.stop();
    return { digest, keys, log: server.log() };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Command-line tools

export interface ToolResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunToolOptions {
  /** Written to stdin, which is then closed (redis-check-aof --fix asks y/N there). */
  input?: string | Uint8Array;
  cwd?: string;
  /** Kill the tool after this long and reject. Default 60 000 ms. */
  timeoutMs?: number;
}

/**
 * Runs a program (e.g. `redis-check-rdb`, `redis-check-aof`) and collects its output.
 * A non-zero exit is a result, not an error.
 * @throws Error when the program cannot be started or runs past the timeout.
 */
export function runTool(cmd: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms\n${tail(stdout + stderr, 20)}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // the tool may exit without reading stdin
    child.stdin.end(options.input ?? '');
  });
}
