import { commandRows, newerCommandRows } from './command-table.js';

/** What the command table says about a command name. */
export interface CommandSpec {
  name: string;
  /** Redis arity: N means exactly N arguments (name included), -N at least N. */
  arity: number;
  writes: boolean;
  /** Set for commands newer than the Redis the table was generated from. */
  since?: string;
}

const table = new Map<string, CommandSpec>();
for (const [name, arity, writes] of commandRows) table.set(name, { name, arity, writes });
for (const [name, arity, writes, since] of newerCommandRows) if (!table.has(name)) table.set(name, { name, arity, writes, since });
const containers = new Set<string>();
for (const name of table.keys()) {
  const bar = name.indexOf('|');
  if (bar > 0) containers.add(name.slice(0, bar));
}

const latin1 = new TextDecoder('latin1');

/** A finding about one AOF command that Redis would refuse while replaying it. */
export interface CommandProblem {
  kind: 'unknown-command' | 'unknown-subcommand' | 'wrong-arity';
  message: string;
}

/**
 * Checks a command's name and argument count against Redis's command table (Redis 7.0 plus the write
 * commands added up to 8.6). Returns undefined when Redis would accept it for replay.
 */
export function validateCommand(args: readonly Uint8Array[]): CommandProblem | undefined {
  const first = args[0];
  if (first === undefined) return { kind: 'wrong-arity', message: 'command with no arguments' };
  const name = latin1.decode(first).toLowerCase();
  const spec = table.get(name);
  if (!spec) return { kind: 'unknown-command', message: `unknown command '${printableName(name)}'` };
  if (!arityOk(spec.arity, args.length)) return arityProblem(spec, args.length);
  if (containers.has(name) && args.length >= 2) {
    const subName = latin1.decode(args[1] as Uint8Array).toLowerCase();
    const sub = table.get(`${name}|${subName}`);
    if (!sub) return { kind: 'unknown-subcommand', message: `unknown subcommand '${printableName(subName)}' of '${name}'` };
    if (!arityOk(sub.arity, args.length)) return arityProblem(sub, args.length);
  }
  return undefined;
}

/** Specs by the name as written in the file ("SET", "set"), so the common names skip lower-casing. */
const byWrittenName = new Map<string, CommandSpec | null>();

/**
 * The same check from a command's name (lower case) and argument count alone, for the single-pass checker:
 * subcommands are not looked at. Returns undefined when Redis would accept it for replay.
 */
export function validateCommandName(name: string, argc: number): CommandProblem | undefined {
  let spec = byWrittenName.get(name);
  if (spec === undefined) {
    spec = table.get(name.toLowerCase()) ?? null;
    if (byWrittenName.size < 4096) byWrittenName.set(name, spec);
  }
  if (!spec) return { kind: 'unknown-command', message: `unknown command '${printableName(name.toLowerCase())}'` };
  if (!arityOk(spec.arity, argc)) return arityProblem(spec, argc);
  return undefined;
}

function arityOk(arity: number, count: number): boolean {
  return arity >= 0 ? count === arity : count >= -arity;
}

function arityProblem(spec: CommandSpec, count: number): CommandProblem {
  const expected = spec.arity >= 0 ? `${spec.arity}` : `at least ${-spec.arity}`;
  return { kind: 'wrong-arity', message: `wrong number of arguments for '${spec.name}': ${count}, expected ${expected}` };
}

function printableName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\u0000-\u001f\u007f-\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
