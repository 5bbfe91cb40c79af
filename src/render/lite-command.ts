import { UsageError } from '../errors.js';

// The stand-in for oclif's Command that the fast path of bin/run.js runs commands on, so that a plain
// `redback check FILE` does not pay the ~130 ms of loading @oclif/core. It offers what redback's commands
// use of oclif's Command (parse, log, logToStderr, exit, catch) over the same flag and argument objects
// (built by ./flags.ts); anything else (help, completion, an unknown command) goes through oclif.

/** The parts of an oclif flag or argument definition that the fast parser reads. */
interface Definition {
  type: 'boolean' | 'option';
  name?: string;
  char?: string;
  allowNo?: boolean;
  multiple?: boolean;
  options?: readonly string[];
  required?: boolean;
  default?: unknown;
  exclusive?: string[];
  dependsOn?: string[];
  parse: (input: never, context: unknown, definition: never) => Promise<unknown>;
}

/** The static side of a command class, as the fast parser reads it. */
interface CommandShape {
  id?: string;
  flags?: Record<string, unknown>;
  baseFlags?: Record<string, unknown>;
  args?: Record<string, unknown>;
  strict?: boolean;
}

/** Thrown by {@link LiteCommand.exit}; carries the exit code to the fast runner. */
export class ExitSignal extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.oclif = { exit: code };
  }

  readonly oclif: { exit: number };
}

async function valueOf(definition: Definition): Promise<unknown> {
  const value = definition.default;
  return typeof value === 'function' ? await (value as () => unknown)() : value;
}

/**
 * Parses `argv` against a command's flags and arguments as oclif does for the forms redback documents:
 * `--flag`, `--no-flag` (allowNo), `--flag value`, `--flag=value`, `-c value`, `--` ending the flags,
 * defaults, options, required arguments, `strict`. Throws {@link UsageError} for anything else.
 */
export async function parseArgv(
  command: CommandShape,
  argv: string[],
): Promise<{ args: Record<string, unknown>; argv: unknown[]; flags: Record<string, unknown> }> {
  const definitions = { ...(command.baseFlags ?? {}), ...(command.flags ?? {}) } as Record<string, Definition>;
  const byChar = new Map<string, string>();
  for (const [name, definition] of Object.entries(definitions)) {
    definition.name = name;
    if (definition.char) byChar.set(definition.char, name);
  }
  const flags: Record<string, unknown> = {};
  const positional: string[] = [];
  let flagsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (flagsEnded || token === '-' || !token.startsWith('-')) {
      positional.push(token);
      continue;
    }
    if (token === '--') {
      flagsEnded = true;
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const equals = token.indexOf('=');
      name = equals < 0 ? token.slice(2) : token.slice(2, equals);
      inline = equals < 0 ? undefined : token.slice(equals + 1);
    } else if (token.length === 2) {
      name = byChar.get(token.slice(1));
    } else if (/^-\d/.test(token)) {
      positional.push(token);
      continue;
    }
    const definition = name === undefined ? undefined : definitions[name];
    if (definition === undefined && name?.startsWith('no-')) {
      const negated = definitions[name.slice(3)];
      if (negated?.type === 'boolean' && negated.allowNo && inline === undefined) {
        flags[name.slice(3)] = false;
        continue;
      }
    }
    if (definition === undefined || name === undefined) throw new UsageError(`Nonexistent flag: ${token}`);
    if (definition.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = await definition.parse(true as never, {}, definition as never);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} expects a value`);
    if (definition.options && !definition.options.includes(value)) {
      throw new UsageError(`--${name} expects one of: ${definition.options.join(', ')}; got '${value}'`);
    }
    if (!definition.multiple && name in flags) throw new UsageError(`--${name} can only be given once`);
    const parsed = await definition.parse(value as never, {}, definition as never);
    flags[name] = definition.multiple ? [...((flags[name] as unknown[] | undefined) ?? []), parsed] : parsed;
  }
  for (const [name, definition] of Object.entries(definitions)) {
    if (name in flags) {
      for (const other of definition.exclusive ?? []) {
        if (other in flags) throw new UsageError(`--${name} cannot also be provided when using --${other}`);
      }
      for (const other of definition.dependsOn ?? []) {
        if (!(other in flags)) throw new UsageError(`--${name} needs --${other}`);
      }
      continue;
    }
    if (definition.required) throw new UsageError(`Missing required flag --${name}`);
    const value = await valueOf(definition);
    if (value !== undefined) flags[name] = value;
  }
  const args: Record<string, unknown> = {};
  const argDefinitions = Object.entries((command.args ?? {}) as Record<string, Definition>);
  const parsedArgv: unknown[] = [];
  for (const [index, input] of positional.entries()) {
    const definition = argDefinitions[index]?.[1];
    parsedArgv.push(definition ? await definition.parse(input as never, {}, definition as never) : input);
  }
  for (const [index, [name, definition]] of argDefinitions.entries()) {
    if (index < positional.length) args[name] = parsedArgv[index];
    else if (definition.required) throw new UsageError(`Missing 1 required arg: ${name}`);
    else args[name] = await valueOf(definition);
  }
  if (command.strict !== false && positional.length > argDefinitions.length) {
    throw new UsageError(`Unexpected argument: ${positional[argDefinitions.length]}`);
  }
  return { args, argv: parsedArgv, flags };
}

/** A minimal oclif Command: the same methods the commands call, without oclif behind them. */
export abstract class LiteCommand {
  /** The command id (set by the fast runner from the file name). */
  id: string | undefined;

  constructor(
    readonly argv: string[],
    readonly config?: unknown,
  ) {
    this.id = (this.constructor as CommandShape).id;
  }

  abstract run(): Promise<unknown>;

  /** Parses the command line against `command`'s flags and arguments (see {@link parseArgv}). */
  async parse(command: CommandShape, argv = this.argv): Promise<unknown> {
    return parseArgv(command, argv);
  }

  log(message = ''): void {
    process.stdout.write(`${message}\n`);
  }

  logToStderr(message = ''): void {
    process.stderr.write(`${message}\n`);
  }

  exit(code = 0): never {
    throw new ExitSignal(code);
  }

  protected async catch(error: Error): Promise<unknown> {
    throw error;
  }

  /** Runs the command; resolves to its exit code. */
  async runToExitCode(): Promise<number> {
    try {
      await this.run();
      return 0;
    } catch (error) {
      if (error instanceof ExitSignal) return error.code;
      try {
        await this.catch(error as Error);
        return 0;
      } catch (again) {
        if (again instanceof ExitSignal) return again.code;
        throw again;
      }
    }
  }
}
