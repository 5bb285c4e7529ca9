import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../node/errors.ts';

/** What a CLI command gets: its own arguments (after the command name) and the process's streams. */
export interface CommandContext {
  argv: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A command: resolves to the exit code (SPEC §3: 0 ok, 1 invalid input or failed, 2 usage). */
export interface Command {
  usage: string;
  run(ctx: CommandContext): Promise<number>;
}

/**
 * A command as the CLI lists it: its name and summary, and its module loaded only when it runs (a command
 * pays for the modules it uses, not for every command's: YAML, JSON Schema, SQLite…).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode, with its errors turned into UsageError. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** One of a fixed set of values (`fallback` when absent): throws UsageError naming the choices otherwise. */
export function choiceOption<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  const v = raw ?? fallback;
  if (!(choices as readonly string[]).includes(v)) {
    const list = choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}` : choices[0];
    throw new UsageError(`--${name} must be ${list}, got '${v}'`);
  }
  return v as T;
}

/** Parses a number option: throws UsageError when it is not a finite number inside [min, max]. */
export function numberOption(name: string, raw: string | undefined, min = -Infinity, max = Infinity): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    throw new UsageError(`--${name} must be a number${min > -Infinity ? ` ≥ ${min}` : ''}${max < Infinity ? ` and ≤ ${max}` : ''}, got '${raw}'`);
  }
  return v;
}
