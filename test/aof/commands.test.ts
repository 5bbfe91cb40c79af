import { describe, expect, it } from 'vitest';
import { validateCommand, validateCommandName } from '../../src/aof/commands.js';

const args = (...words: string[]): Uint8Array[] => words.map((w) => new TextEncoder().encode(w));

describe('command table checks', () => {
  it('accepts what Redis replays and names what it would refuse', () => {
    expect(validateCommand(args('SET', 'k', 'v'))).toBeUndefined();
    expect(validateCommand(args('set', 'k', 'v', 'PX', '10'))).toBeUndefined();
    expect(validateCommand(args('SET', 'k'))?.kind).toBe('wrong-arity');
    expect(validateCommand(args('GET', 'k', 'x'))?.kind).toBe('wrong-arity');
    expect(validateCommand(args('HELLOTYPE.INSERT', 'k', '1'))?.kind).toBe('unknown-command');
    expect(validateCommand(args('FUNCTION', 'LOAD', '#!lua name=x\n'))).toBeUndefined();
    expect(validateCommand(args('XGROUP', 'NOPE', 'k'))?.kind).toBe('unknown-subcommand');
    expect(validateCommand(args('HPEXPIREAT', 'h', '1', 'FIELDS', '1', 'f'))).toBeUndefined();
  });

  it('the one-pass form agrees on names and counts, whatever the case', () => {
    expect(validateCommandName('SET', 3)).toBeUndefined();
    expect(validateCommandName('Set', 2)?.kind).toBe('wrong-arity');
    expect(validateCommandName('NO-SUCH', 1)?.message).toBe("unknown command 'no-such'");
  });
});
