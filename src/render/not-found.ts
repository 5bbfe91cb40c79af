import type { Hook } from '@oclif/core';
import { ExitCode } from '../errors.js';

/** Levenshtein distance of two short strings (command names). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (unusedValue, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The command name closest to `typed`, or undefined when none is near (more than half of it differs). */
export function closestCommand(typed: string, commands: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const command of commands) {
    const distance = editDistance(typed, command);
    if (distance < bestDistance) {
      best = command;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.ceil(typed.length / 2)) ? best : undefined;
}

/**
 * oclif's `command_not_found` hook. At a terminal it is @oclif/plugin-not-found's: "Did you mean inspect?",
 * and the command runs when confirmed. Otherwise (a script, CI), or when declined, one line on stderr with
 * the suggestion and exit code 2 (bad usage), as for every other usage error; plugin-not-found alone would
 * print no suggestion there and exit 127.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const typed = options.id.split(':')[0] ?? options.id;
  const commands = options.config.commands.filter((command) => !command.hidden).flatMap((command) => [command.id, ...command.aliases]);
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const { default: notFound } = await import('@oclif/plugin-not-found');
    try {
      return await notFound.call(this, options);
    } catch (error) {
      if ((error as { oclif?: { exit?: number } }).oclif?.exit !== 127) throw error;
    }
  }
  const suggestion = closestCommand(typed, commands);
  process.stderr.write(`redback: '${typed}' is not a redback command${suggestion ? `; did you mean '${suggestion}'?` : ''}\n  see: redback help\n`);
  return this.exit(ExitCode.usage);
};

export default hook;
