/**
 * A small pipelined RESP2 client over node:net, written for bulk loading.
 *
 * Commands are encoded straight into a large send buffer; big arguments are handed to the socket
 * as they are (no copy). Replies are counted by a streaming parser that never materializes arrays or
 * long bulk strings, so reply traffic (XREADGROUP...) costs little. Only `call` returns a value: the
 * reply of the one command it sends, as a string for simple/bulk replies or a number for integers.
 *
 * Flow control: the send buffer is flushed every SEND_CHUNK bytes; a flush waits for 'drain' when the
 * socket is backed up and for replies when too many commands are outstanding.
 */
// cspell:words XREADGROUP

import net from 'node:net';

export type Arg = string | number | Buffer;

const SEND_CHUNK = 1 << 20;
const MAX_OUTSTANDING = 200_000;
const BIG_ARG = 64 * 1024;
/** Top-level bulk replies up to this size are kept as values (for `call`); longer ones are skipped. */
const KEEP_BULK = 1 << 20;

type ReplyValue = string | number | null | { array: number };

interface Waiter {
  /** The reply count that resolves it (the 1-based number of the awaited reply). */
  at: number;
  resolve: (value: ReplyValue) => void;
  reject: (error: Error) => void;
}

/** Streaming RESP2 reply parser that counts top-level replies and keeps small scalar values. */
class ReplyCounter {
  /** Remaining elements of the open arrays, innermost last. */
  private readonly stack: number[] = [];
  /** Bytes of a bulk string body (plus its CRLF) still to skip or collect. */
  private bulkLeft = 0;
  private bulkParts: Buffer[] | undefined;
  private bulkLength = 0;
  private partialLine: Buffer | undefined;

  constructor(private readonly onReply: (value: ReplyValue, error: string | undefined) => void) {}

  push(chunk: Buffer): void {
    let data = chunk;
    let pos = 0;
    if (this.partialLine !== undefined) {
      data = Buffer.concat([this.partialLine, chunk]);
      this.partialLine = undefined;
    }
    const end = data.length;
    while (pos < end) {
      if (this.bulkLeft > 0) {
        const take = Math.min(this.bulkLeft, end - pos);
        if (this.bulkParts !== undefined) this.bulkParts.push(data.subarray(pos, pos + take));
        this.bulkLeft -= take;
        pos += take;
        if (this.bulkLeft === 0) {
          let value: ReplyValue = this.bulkLength;
          if (this.bulkParts !== undefined) {
            value = Buffer.concat(this.bulkParts).toString('latin1', 0, this.bulkLength);
            this.bulkParts = undefined;
          }
          this.finishItem(value, undefined);
        }
        continue;
      }
      const nl = data.indexOf(10, pos);
      if (nl < 0) {
        this.partialLine = Buffer.from(data.subarray(pos));
        return;
      }
      const type = data[pos];
      const line = data.toString('latin1', pos + 1, nl - 1);
      pos = nl + 1;
      switch (type) {
        case 0x2b: // +
          this.finishItem(line, undefined);
          break;
        case 0x2d: // -
          this.finishItem(null, line);
          break;
        case 0x3a: // :
          this.finishItem(Number(line), undefined);
          break;
        case 0x24: {
          // $
          const length = Number(line);
          if (length < 0) {
            this.finishItem(null, undefined);
          } else {
            this.bulkLength = length;
            this.bulkLeft = length + 2;
            this.bulkParts = this.stack.length === 0 && length <= KEEP_BULK ? [] : undefined;
          }
          break;
        }
        case 0x2a: {
          // *
          const length = Number(line);
          if (length <= 0) this.finishItem(length < 0 ? null : { array: 0 }, undefined);
          else this.stack.push(length);
          break;
        }
        default:
          throw new Error(`bad RESP reply byte 0x${(type ?? 0).toString(16)}`);
      }
    }
  }

  private finishItem(value: ReplyValue, error: string | undefined): void {
    // Close every array this item completes; a top-level item is a reply.
    for (;;) {
      const depth = this.stack.length;
      if (depth === 0) {
        this.onReply(value, error);
        return;
      }
      const left = (this.stack[depth - 1] ?? 1) - 1;
      if (left > 0) {
        this.stack[depth - 1] = left;
        return;
      }
      this.stack.pop();
      value = { array: -1 };
      error = undefined;
    }
  }
}

export class RespClient {
  private readonly socket: net.Socket;
  private buffer = Buffer.allocUnsafe(SEND_CHUNK + 64 * 1024);
  private used = 0;
  private sent = 0;
  private received = 0;
  /** `call`s waiting for their reply, in send order. */
  private readonly waiters: Waiter[] = [];
  /** Flushes waiting for the reply count to reach a mark. */
  private marks: Waiter[] = [];
  private closedError: Error | undefined;
  /** Error replies to pipelined commands (the first few are kept). */
  readonly errors: string[] = [];
  errorCount = 0;
  /** Bytes of protocol written so far. */
  bytesSent = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const counter = new ReplyCounter((value, error) => this.reply(value, error));
    socket.on('data', (chunk: Buffer) => {
      try {
        counter.push(chunk);
      } catch (failure) {
        this.fail(failure instanceof Error ? failure : new Error(String(failure)));
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ port, host });
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RespClient(socket));
      });
      socket.once('error', reject);
    });
  }

  private reply(value: ReplyValue, error: string | undefined): void {
    this.received++;
    const waiter = this.waiters[0];
    if (waiter !== undefined && waiter.at === this.received) {
      this.waiters.shift();
      if (error !== undefined) waiter.reject(new Error(error));
      else waiter.resolve(value);
    } else if (error !== undefined) {
      this.errorCount++;
      if (this.errors.length < 5) this.errors.push(error);
    }
    if (this.marks.length > 0 && (this.marks[0]?.at ?? Infinity) <= this.received) {
      const still: Waiter[] = [];
      for (const mark of this.marks) {
        if (mark.at <= this.received) mark.resolve(null);
        else still.push(mark);
      }
      this.marks = still;
    }
  }

  private fail(error: Error): void {
    if (this.closedError !== undefined) return;
    this.closedError = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    for (const waiter of this.marks.splice(0)) waiter.reject(error);
  }

  private ensure(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }

  private writeAscii(text: string): void {
    this.ensure(text.length);
    this.used += this.buffer.write(text, this.used, 'latin1');
  }

  /** Queues one command; call {@link maybeFlush} regularly (or use {@link send}). */
  queue(args: readonly Arg[]): void {
    this.writeAscii(`*${args.length}\r\n`);
    for (const arg of args) {
      if (typeof arg === 'number') {
        const text = String(arg);
        this.writeAscii(`$${text.length}\r\n${text}\r\n`);
      } else if (typeof arg === 'string') {
        const length = Buffer.byteLength(arg, 'utf8');
        this.writeAscii(`$${length}\r\n`);
        this.ensure(length + 2);
        this.used += this.buffer.write(arg, this.used, 'utf8');
        this.buffer[this.used++] = 13;
        this.buffer[this.used++] = 10;
      } else {
        this.writeAscii(`$${arg.length}\r\n`);
        if (arg.length >= BIG_ARG) {
          this.pushOut(arg);
        } else {
          this.ensure(arg.length + 2);
          arg.copy(this.buffer, this.used);
          this.used += arg.length;
        }
        this.writeAscii('\r\n');
      }
    }
    this.sent++;
  }

  /** Moves what is buffered, then `extra`, to the socket (without waiting). */
  private pushOut(extra?: Buffer): boolean {
    let ok = true;
    if (this.used > 0) {
      ok = this.socket.write(Buffer.from(this.buffer.subarray(0, this.used)));
      this.bytesSent += this.used;
      this.used = 0;
    }
    if (extra !== undefined) {
      ok = this.socket.write(extra) && ok;
      this.bytesSent += extra.length;
    }
    return ok;
  }

  /** Queues a command and flushes when the buffer is full. */
  async send(args: readonly Arg[]): Promise<void> {
    this.queue(args);
    if (this.used >= SEND_CHUNK || this.socket.writableLength >= SEND_CHUNK) await this.flush();
  }

  /** Writes the buffered commands out, waiting for the socket and the server to catch up. */
  async flush(): Promise<void> {
    if (this.closedError !== undefined) throw this.closedError;
    const ok = this.pushOut();
    if (!ok || this.socket.writableLength > 8 * SEND_CHUNK) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          this.socket.removeListener('close', onClose);
          resolve();
        };
        const onClose = (): void => {
          this.socket.removeListener('drain', onDrain);
          reject(this.closedError ?? new Error('connection closed'));
        };
        this.socket.once('drain', onDrain);
        this.socket.once('close', onClose);
      });
    }
    if (this.sent - this.received > MAX_OUTSTANDING) await this.waitOutstanding(MAX_OUTSTANDING / 2);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private waitOutstanding(limit: number): Promise<void> {
    const mark = this.sent - limit;
    if (this.received >= mark) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.marks.push({ at: mark, resolve: () => resolve(), reject });
      this.marks.sort((a, b) => a.at - b.at);
    });
  }

  /** Flushes and waits until every queued command has been answered. */
  async sync(): Promise<void> {
    await this.flush();
    await this.waitOutstanding(0);
  }

  /** Sends one command after everything queued and returns its reply; an error reply rejects. */
  async call(args: readonly Arg[]): Promise<ReplyValue> {
    if (this.closedError !== undefined) throw this.closedError;
    this.queue(args);
    const at = this.sent;
    const promise = new Promise<ReplyValue>((resolve, reject) => this.waiters.push({ at, resolve, reject }));
    this.pushOut();
    return promise;
  }

  /** Closes the connection (without QUIT: the server may already be gone). */
  close(): void {
    this.closedError ??= new Error('client closed');
    this.socket.destroy();
  }
}
