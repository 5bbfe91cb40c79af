import type { Command as OclifCommand } from '@oclif/core';
import { setFlagsFromString } from 'node:v8';
import type { EditOwner, StepHook } from '../aof/set-edit.js';
import { ExitCode, RedbackError, UsageError } from '../errors.js';
import { Flags } from './flags.js';
import { jsonDocument, jsonErrorDocument, jsonLine } from './json.js';
import { LiteCommand } from './lite-command.js';
import { runMode } from './mode.js';
import { setColor } from './style.js';

// Under oclif the commands extend oclif's Command; on the fast path of bin/run.js (a plain command line,
// no help) they extend LiteCommand, which offers the same methods without loading @oclif/core.
const Base: typeof OclifCommand = runMode.fast ? (LiteCommand as unknown as typeof OclifCommand) : (await import('@oclif/core')).Command;

/** An error as oclif's parser and ExitError carry it. */
type CommandError = Error & { code?: string; oclif?: { exit?: number }; parse?: unknown };

/**
 * The base of every redback command: the shared flags, and one place that turns errors into a single
 * `redback: <file>: offset <n>: <what>` line on stderr and the documented exit code
 * (0 ok, 1 invalid input, 2 bad usage, 3 input/output error); under `--json` the error is also a JSON
 * document on stdout. Stack traces only with `--debug`.
 */
export abstract class BaseCommand extends Base {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print one JSON document on stdout instead of text (schema in the README).', default: false }),
    debug: Flags.boolean({ description: 'Show the stack trace of an error.', default: false }),
    color: Flags.boolean({ description: 'Colour the output (default: when stdout is a terminal and NO_COLOR is unset).', allowNo: true }),
  };

  /** True once flags are parsed with --debug. */
  protected debugMode = false;
  /** True once flags are parsed with --json. */
  protected jsonMode = false;

  protected configureOutput(flags: { debug: boolean; color?: boolean | undefined; json?: boolean }): void {
    this.debugMode = flags.debug;
    this.jsonMode = flags.json ?? false;
    const wantColor = flags.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !flags.json);
    setColor(wantColor);
  }

  /** Whether a progress bar may be drawn: stderr is a terminal and output is not for scripts. */
  protected progressAllowed(json: boolean): boolean {
    return Boolean(process.stderr.isTTY) && !json && !process.env.CI;
  }

  /** Writes a JSON document (with `schemaVersion`) to stdout. */
  protected printJson(value: object): void {
    process.stdout.write(jsonDocument(value));
  }

  /** Writes one JSON line (with `schemaVersion`) to stdout. */
  protected printJsonLine(value: object): void {
    process.stdout.write(jsonLine(value));
  }

  protected override async catch(error: CommandError): Promise<unknown> {
    if (error.code === 'EEXIT' || error.name === 'ExitSignal') throw error;
    let line: string;
    let code: number;
    let file: string | null = null;
    let offset: number | null = null;
    if (error instanceof RedbackError) {
      line = error.toLine();
      code = error.exitCode;
      file = error.file ?? null;
      offset = error.offset ?? null;
    } else if (error.oclif !== undefined && (error.parse !== undefined || /flag|argument|arg\b|Unexpected|Missing|Expected/i.test(error.message))) {
      line = usageLine(error.message);
      code = ExitCode.usage;
    } else {
      line = `internal error: ${error.message}`;
      code = ExitCode.io;
    }
    const json = this.jsonMode || (this.argv.includes('--json') && !this.argv.slice(0, this.argv.indexOf('--json')).includes('--'));
    if (json) process.stdout.write(jsonErrorDocument({ file, offset, message: line, exitCode: code }));
    let text = `redback: ${line}`;
    if (error instanceof RedbackError && error.hint) text += `\n  hint: ${error.hint}`;
    if (code === ExitCode.usage) text += `\n  see: redback ${this.id ?? ''} --help`.replace('  --', ' --');
    process.stderr.write(`${text}\n`);
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

  /**
   * Asks `Continue? [y/N]` on the terminal before a change, unless `yes`; refuses without a terminal
   * ({@link UsageError}, exit 2). On any answer but yes, says nothing changed and exits 1.
   */
  protected async confirmChange(yes: boolean): Promise<void> {
    if (yes) return;
    if (!process.stdin.isTTY) throw new UsageError('refusing to change files without --yes (standard input is not a terminal)');
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question('Continue? [y/N]: ');
    rl.close();
    if (!/^y/i.test(answer.trim())) {
      this.logToStderr('Aborted: nothing changed.');
      this.exit(1);
    }
  }

  /** Throws a {@link UsageError}. */
  protected usage(message: string): never {
    throw new UsageError(message);
  }
}

/** oclif's multi-line parse errors as one line: "Missing 1 required arg: path". */
function usageLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with/.test(line));
  const [first = message, second] = lines;
  return first.endsWith(':') && second !== undefined ? `${first} ${second.split(/\s{2,}/)[0]}` : first;
}
