/**
 * Output that is written as it is made, in 64 KiB pieces: a report of a set with a hundred thousand files is
 * never held whole, as text or as JSON.
 */

/**
 * Text gathered into pieces of 64 KiB and handed to `sink` (stdout); call {@link flush} at the end. The
 * text is copied into one reused byte buffer as it comes, so the strings it was made of die at once (held
 * in a list until a flush, a hundred thousand lines would outlive collections and fill the old generation).
 */
export class Output {
  private readonly buffer: Buffer;
  private used = 0;

  /**
   * @param sink writes a piece (synchronously; it may keep the piece)
   * @param beforeWrite called before each piece goes out (a progress bar clears its line there)
   */
  constructor(
    private readonly sink: (bytes: Uint8Array) => void,
    private readonly beforeWrite?: () => void,
    size = 1 << 16,
  ) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  write(text: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      if (text.length * 3 > this.buffer.length) {
        this.send(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Writes `text` and a newline. */
  line(text: string): void {
    this.write(text);
    this.write('\n');
  }

  flush(): void {
    if (this.used === 0) return;
    const piece = Buffer.from(this.buffer.subarray(0, this.used));
    this.used = 0;
    this.send(piece);
  }

  private send(piece: Uint8Array): void {
    this.beforeWrite?.();
    this.sink(piece);
  }
}

type Replacer = (key: string, value: unknown) => unknown;

/**
 * Writes one JSON document piece by piece, laid out as `JSON.stringify(value, replacer, 2)` lays it out:
 * open an object or array, write members (each value stringified whole), close. Members of an object take
 * a key; members of an array do not.
 */
export class JsonWriter {
  private readonly stack: { array: boolean; count: number }[] = [];

  constructor(
    private readonly out: Output,
    private readonly replacer?: Replacer,
  ) {}

  /** Opens an object: the document itself, an array element, or an object member named `key`. */
  beginObject(key?: string): void {
    this.member(key);
    this.out.write('{');
    this.stack.push({ array: false, count: 0 });
  }

  /** Opens an array (see {@link beginObject}). */
  beginArray(key?: string): void {
    this.member(key);
    this.out.write('[');
    this.stack.push({ array: true, count: 0 });
  }

  /**
   * Writes one member: a value, with its key inside an object. With `compact`, the value takes one line
   * (for the elements of a long list: a hundred thousand files read better, and are written faster, one per
   * line); with `plain` too, it is stringified without the replacer.
   */
  value(value: unknown, key?: string, options: { compact?: boolean; plain?: boolean } = {}): void {
    if (value === undefined && key !== undefined) return; // as JSON.stringify leaves such a member out
    this.member(key);
    if (options.compact) {
      // `plain`: the caller knows the value holds no bytes and no bigints, so the replacer has nothing to do.
      this.out.write((options.plain ? JSON.stringify(value) : JSON.stringify(value, this.replacer)) ?? 'null');
      return;
    }
    const text = JSON.stringify(value, this.replacer, 2) ?? 'null';
    const indent = '  '.repeat(this.stack.length);
    this.out.write(indent.length > 0 && text.includes('\n') ? text.replace(/\n/g, `\n${indent}`) : text);
  }

  /** Closes the innermost object or array; after the document's own, a newline. */
  end(): void {
    const top = this.stack.pop();
    if (!top) throw new Error('JsonWriter: nothing to close');
    if (top.count > 0) this.out.write(`\n${'  '.repeat(this.stack.length)}`);
    this.out.write(top.array ? ']' : '}');
    if (this.stack.length === 0) this.out.write('\n');
  }

  private member(key: string | undefined): void {
    const top = this.stack.at(-1);
    if (!top) return;
    if (top.array !== (key === undefined)) throw new Error(top.array ? 'JsonWriter: array members have no key' : 'JsonWriter: object members need a key');
    this.out.write(`${top.count++ === 0 ? '\n' : ',\n'}${'  '.repeat(this.stack.length)}`);
    if (key !== undefined) this.out.write(`${JSON.stringify(key)}: `);
  }
}
