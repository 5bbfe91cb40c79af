import { Command, Flags } from '@oclif/core';
import { setFlagsFromString } from 'node:v8';
import { Errors } from '@oclif/core';
import { ExitCode, RedbackError, UsageError } from '../errors.js';
import type { EditOwner, StepHook } from '../aof/set-edit.js';
import { setColor } from './style.js';

/**
 * The base of every redback command: the shared flags, and one place that turns errors into a single
 * `redback: <file>: offset <n>: <what>` line on stderr and the documented exit code
 * (0 ok, 1 invalid input, 2 bad usage, 3 input/output error). Stack traces only with `--debug`.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print one JSON document on stdout instead of tables.', default: false }),
    debug: Flags.boolean({ description: 'Show stack traces for errors.', default: false, hidden: false }),
    color: Flags.boolean({ description: 'Colour output (default: when stdout is a terminal and NO_COLOR is unset).', allowNo: true }),
  };

  /** True once flags are parsed with --debug. */
  protected debugMode = false;

  protected configureOutput(flags: { debug: boolean; color?: boolean | undefined; json?: boolean }): void {
    this.debugMode = flags.debug;
    const wantColor = flags.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !flags.json);
    setColor(wantColor);
  }

  /** Whether a progress bar may be drawn: stderr is a terminal and output is not for scripts. */
  protected progressAllowed(json: boolean): boolean {
    return Boolean(process.stderr.isTTY) && !json && !process.env.CI;
  }

  /** Writes a JSON document to stdout. */
  protected printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** Writes one JSON line to stdout. */
  protected printJsonLine(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, jsonReplacer)}\n`);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    let line: string;
    let code: number;
    if (error instanceof RedbackError) {
      line = error.toLine();
      code = error.exitCode;
      if (error.hint) line += `\n  hint: ${error.hint}`;
    } else if (error instanceof Errors.CLIError && /flag|argument|Unexpected|Missing|Expected/i.test(error.message)) {
      line = error.message.split('\n')[0] ?? error.message;
      code = ExitCode.usage;
      line += `\n  see: redback ${this.id ?? ''} --help`;
    } else {
      line = `internal error: ${error.message}`;
      code = ExitCode.io;
    }
    process.stderr.write(`redback: ${line}\n`);
    if (this.debugMode && error.stack) process.stderr.write(`${error.stack}\n`);
    this.exit(code);
  }

  /**
   * This process as the owner of an edit: a second redback that finds our edit journal refuses while we
   * run, and finishes or undoes the edit once we are gone.
   */
  protected editOwner(): EditOwner {
    return {
      pid: process.pid,
      isRunning(pid: number): boolean {
        try {
          process.kill(pid, 0);
          return true;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'EPERM';
        }
      },
    };
  }

  /**
   * The step hook of writing commands. For the crash test only: with `REDBACK_CRASH_AT_STEP=N` in the
   * environment the process kills itself (SIGKILL) just before its Nth file-system change, so a test can
   * try every state an interrupted edit leaves behind. Unset, there is no hook.
   */
  protected crashHook(): StepHook | undefined {
    const at = Number(process.env.REDBACK_CRASH_AT_STEP);
    if (!Number.isSafeInteger(at) || at <= 0) return undefined;
    let steps = 0;
    return () => {
      if (++steps === at) process.kill(process.pid, 'SIGKILL');
    };
  }

  /**
   * Keeps V8's young generation at its starting size for the rest of the run. A multi-part AOF of a hundred
   * thousand files keeps a hundred thousand small manifest entries alive; their survival makes V8 grow the
   * young generation to 32 MiB although it is nearly empty between collections. Capped, the peak memory of
   * `check` on such a set drops by about 30 MiB at no measurable cost in time (objects there die young).
   */
  protected limitYoungGeneration(): void {
    setFlagsFromString('--semi-space-growth-factor=1');
  }

  /** Throws a {@link UsageError}. */
  protected usage(message: string): never {
    throw new UsageError(message);
  }
}

/** JSON.stringify replacer: bigints as decimal strings, byte arrays as text or base64. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(value);
    } catch {
      return { base64: Buffer.from(value).toString('base64') };
    }
  }
  return value;
}
