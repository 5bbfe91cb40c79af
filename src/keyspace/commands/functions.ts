// cspell:words shebang splitargs
import { bin } from '../bytes.js';
import type { FunctionLibrary } from '../model.js';
import { decodeFunctionPayload } from '../restore.js';
import { NotReplayable, ReplyError, SYNTAX, arg, opt } from './common.js';
import type { Context, Handler } from './common.js';

/*
 * FUNCTION LOAD / DELETE / FLUSH / RESTORE. Libraries are kept by name with their code; the code itself is
 * not run (there is no Lua here), so what only running it reveals — a syntax error, no function registered,
 * a function name another library already registers — is not checked. Redis writes FUNCTION LOAD to an AOF
 * only after it succeeded, so a Redis-written AOF never depends on those checks.
 */

/** sdssplitargs (quotes and escapes) over the shebang line; undefined for unbalanced quotes. */
function splitArgs(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const hex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);
  for (;;) {
    while (i < line.length && /[ \n\r\t\f\v]/.test(line[i] as string)) i++;
    if (i >= line.length) return out;
    let current = '';
    let inDq = false;
    let inSq = false;
    for (;;) {
      const ch = line[i];
      if (inDq) {
        if (ch === undefined) return undefined;
        if (ch === '\\' && line[i + 1] === 'x' && hex(line[i + 2] ?? '') && hex(line[i + 3] ?? '')) {
          current += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < line.length) {
          i++;
          const e = line[i] as string;
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (ch === '"') {
          if (i + 1 < line.length && !/[ \n\r\t\f\v]/.test(line[i + 1] as string)) return undefined;
          i++;
          break;
        } else current += ch;
      } else if (inSq) {
        if (ch === undefined) return undefined;
        if (ch === '\\' && line[i + 1] === '\'') {
          i++;
          current += '\'';
        } else if (ch === '\'') {
          if (i + 1 < line.length && !/[ \n\r\t\f\v]/.test(line[i + 1] as string)) return undefined;
          i++;
          break;
        } else current += ch;
      } else {
        if (ch === undefined || /[ \n\r\t\f\v]/.test(ch)) break;
        if (ch === '"') inDq = true;
        else if (ch === '\'') inSq = true;
        else current += ch;
      }
      i++;
    }
    out.push(current);
  }
}

/** functionExtractLibMetaData + the checks of functionsCreateWithLibraryCtx that do not need Lua. */
export function parseLibrary(code: Uint8Array): FunctionLibrary {
  const text = bin(code);
  if (!text.startsWith('#!')) throw new ReplyError('ERR Missing library metadata');
  const eol = text.indexOf('\n');
  if (eol < 0) throw new ReplyError('ERR Invalid library metadata');
  const parts = splitArgs(text.slice(0, eol));
  if (!parts || parts.length === 0) throw new ReplyError('ERR Invalid library metadata');
  const engine = (parts[0] as string).slice(2);
  let name: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== undefined) throw new ReplyError('ERR Invalid metadata value, name argument was given multiple times');
      name = part.slice(5);
      continue;
    }
    throw new ReplyError(`ERR Invalid metadata value given: ${part}`);
  }
  if (name === undefined) throw new ReplyError('ERR Library name was not given');
  if (engine.toUpperCase() !== 'LUA') throw new ReplyError(`ERR Engine '${engine}' not found`);
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new ReplyError('ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
  return { name, engine: 'LUA', code: code.slice() };
}

function load(c: Context, argv: Uint8Array[]): void {
  let replace = false;
  let at = 2;
  while (at < argv.length - 1) {
    const o = opt(argv[at++]);
    if (o === 'REPLACE') replace = true;
    else throw new ReplyError('ERR Unknown option given');
  }
  if (at >= argv.length) throw new ReplyError('ERR Function code is missing');
  const lib = parseLibrary(argv[at] as Uint8Array);
  const k = bin(new TextEncoder().encode(lib.name));
  if (c.keyspace.functions.has(k) && !replace) throw new ReplyError(`ERR Library '${lib.name}' already exists`);
  c.keyspace.functions.set(k, lib);
}

function restore(c: Context, argv: Uint8Array[]): void {
  if (argv.length > 4) throw new ReplyError(SYNTAX);
  let policy = 'APPEND';
  if (argv.length === 4) {
    policy = opt(argv[3]);
    if (policy !== 'APPEND' && policy !== 'REPLACE' && policy !== 'FLUSH') throw new ReplyError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  }
  let libraries: ReturnType<typeof decodeFunctionPayload>;
  try {
    libraries = decodeFunctionPayload(arg(argv, 2));
  } catch (error) {
    if (error instanceof ReplyError && error.message.includes('checksum')) throw new ReplyError('ERR payload version or checksum are wrong');
    throw error;
  }
  const incoming = new Map<string, FunctionLibrary>();
  for (const l of libraries) {
    const lib = parseLibrary(l.code);
    const k = bin(new TextEncoder().encode(lib.name));
    if (incoming.has(k)) throw new ReplyError(`ERR Library '${lib.name}' already exists`);
    incoming.set(k, lib);
  }
  const functions = c.keyspace.functions;
  if (policy === 'FLUSH') {
    functions.clear();
  } else if (policy === 'APPEND') {
    for (const [k, lib] of incoming) if (functions.has(k)) throw new ReplyError(`ERR Library ${lib.name} already exists`);
  }
  for (const [k, lib] of incoming) functions.set(k, lib);
}

function functionCommand(c: Context, argv: Uint8Array[]): void {
  const sub = opt(arg(argv, 1));
  switch (sub) {
    case 'LOAD':
      load(c, argv);
      return;
    case 'DELETE': {
      const k = bin(arg(argv, 2));
      if (!c.keyspace.functions.delete(k)) throw new ReplyError('ERR Library not found');
      return;
    }
    case 'FLUSH': {
      if (argv.length > 3) throw new ReplyError(SYNTAX);
      if (argv.length === 3) {
        const o = opt(argv[2]);
        if (o !== 'SYNC' && o !== 'ASYNC') throw new ReplyError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      }
      c.keyspace.functions.clear();
      return;
    }
    case 'RESTORE':
      restore(c, argv);
      return;
    case 'KILL':
    case 'STATS':
    case 'LIST':
    case 'DUMP':
    case 'HELP':
      return;
    default:
      throw new NotReplayable(`FUNCTION ${sub}`);
  }
}

/** FUNCTION and its subcommands. */
export const functionCommands: Record<string, Handler> = { function: functionCommand };
