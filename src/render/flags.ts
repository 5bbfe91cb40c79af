import type { Args as OclifArgs, Flags as OclifFlags } from '@oclif/core';
import { UsageError } from '../errors.js';

// The flag and argument builders of the commands. They build the same objects as oclif's `Flags` and `Args`
// (oclif reads them for parsing, help and the manifest), but without loading oclif: a command module that
// imports only these can be run by the fast path of bin/run.js, which never loads @oclif/core.

/** Parses a decimal integer flag value, with the bounds of the flag. Throws a {@link UsageError}. */
async function parseInteger(input: string, unusedContext: unknown, options: { name?: string; min?: number; max?: number }): Promise<number> {
  const name = options.name === undefined ? 'the value' : `--${options.name}`;
  if (!/^-?\d+$/.test(input)) throw new UsageError(`${name} expects an integer, got '${input}'`);
  const value = Number.parseInt(input, 10);
  if (options.min !== undefined && value < options.min) throw new UsageError(`${name} expects an integer of at least ${options.min}, got ${input}`);
  if (options.max !== undefined && value > options.max) throw new UsageError(`${name} expects an integer of at most ${options.max}, got ${input}`);
  return value;
}

/** Flag builders with the signatures of oclif's `Flags`. */
export const Flags = {
  boolean: ((options: Record<string, unknown> = {}) => ({
    parse: async (value: boolean) => value,
    ...options,
    allowNo: Boolean(options.allowNo),
    type: 'boolean',
  })) as unknown as typeof OclifFlags.boolean,
  string: ((options: Record<string, unknown> = {}) => ({
    parse: async (input: string) => input,
    ...options,
    input: [],
    multiple: Boolean(options.multiple),
    type: 'option',
  })) as unknown as typeof OclifFlags.string,
  integer: ((options: Record<string, unknown> = {}) => ({
    parse: parseInteger,
    ...options,
    input: [],
    multiple: Boolean(options.multiple),
    type: 'option',
  })) as unknown as typeof OclifFlags.integer,
};

/** Argument builders with the signatures of oclif's `Args`. */
export const Args = {
  string: ((options: Record<string, unknown> = {}) => ({
    parse: async (input: string) => input,
    ...options,
    input: [],
    type: 'option',
  })) as unknown as typeof OclifArgs.string,
};
