import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runMode } from './mode.js';

/** A command class as the fast path runs it (see ./lite-command.ts). */
interface FastCommand {
  id?: string;
  new (argv: string[]): { runToExitCode(): Promise<number> };
}

/**
 * Runs `argv` without loading oclif when that gives the same result: `--version`, and a command of this
 * package given without `--help`/`-h`. Returns false (having done nothing) for everything else — help,
 * completion, an unknown command or a typo — which bin/run.js then hands to oclif. Loading @oclif/core and
 * its configuration costs more than the whole check of a small file (see bench, "startup").
 * `REDBACK_OCLIF=1` turns the fast path off (to compare the two).
 */
export async function runFast(argv: string[]): Promise<boolean> {
  if (process.env.REDBACK_OCLIF) return false;
  const [id] = argv;
  if (id === undefined) return false;
  if (argv.length === 1 && (id === '--version' || id === '-v')) {
    const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    // The same line as oclif's `--version` (its config.userAgent).
    process.stdout.write(`${packageJson.name}/${packageJson.version} ${process.platform}-${process.arch} node-${process.version}\n`);
    return true;
  }
  if (!/^[a-z][a-z-]*$/.test(id)) return false;
  const end = argv.indexOf('--');
  const options = end < 0 ? argv : argv.slice(0, end);
  if (options.includes('--help') || options.includes('-h')) return false;
  const file = new URL(`../../commands/${id}.js`, import.meta.url);
  if (!existsSync(fileURLToPath(file))) return false;
  // The bundled copy (scripts/bundle-commands.mjs) loads faster; a build without it runs the plain one.
  const bundled = new URL(`../../fast/${id}.js`, import.meta.url);
  runMode.fast = true;
  const command = (await import((existsSync(fileURLToPath(bundled)) ? bundled : file).href)).default as FastCommand;
  command.id = id;
  process.exitCode = await new command(argv.slice(1)).runToExitCode();
  return true;
}
