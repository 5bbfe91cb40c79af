/**
 * How the commands are being run: by oclif (the default), or by the fast path of bin/run.js, which sets
 * `fast` before it imports a command so that the command's base class does not load @oclif/core.
 *
 * One object per process, kept on `globalThis`: the fast path runs the bundled copy of a command
 * (dist/fast/, see scripts/bundle-commands.mjs), which holds its own copy of this module.
 */
export const runMode: { fast: boolean } = ((globalThis as { [key: symbol]: { fast: boolean } | undefined })[Symbol.for('redback.runMode')] ??= { fast: false });
