/**
 * How the commands are being run: by oclif (the default), or by the fast path of bin/run.js, which sets
 * `fast` before it imports a command so that the command's base class does not load @oclif/core.
 */
export const runMode = { fast: false };
