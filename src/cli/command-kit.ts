import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import type { CliIo } from './cli-io'
import { ExitCode } from './exit-codes'

/** Wrong arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Bad input the user can fix (a missing file, an unknown time zone): exit code 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string }

/** Parsed arguments of a command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  positionals: string[]
}

/**
 * Parses a command's arguments strictly (unknown flags are errors); `--help`/`-h` and `--json`
 * are added to every command.
 */
export function parseCommandArgs(
  argv: readonly string[],
  options: Record<string, OptionSpec>,
  allowPositionals: boolean
): ParsedArgs {
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        ...options,
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' }
      },
      allowPositionals,
      strict: true
    })
    return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals }
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** A string option's value, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name]
  return typeof v === 'string' ? v : undefined
}

/** A required string option; throws {@link UsageError} naming it. */
export function requiredOption(args: ParsedArgs, name: string): string {
  const v = stringOption(args, name)
  if (v === undefined || v === '') {
    throw new UsageError(`--${name} is required`)
  }
  return v
}

/** A repeatable, comma-separated list option (`--columns a,b --columns c`). */
export function listOption(args: ParsedArgs, name: string): string[] {
  const v = args.values[name]
  const items = Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
  return items
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** Whether a boolean flag is set. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true
}

/** Resolves a path argument against the run's working folder. */
export function resolvePath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path)
}

/** Writes a progress line to stderr (`[import] …`). */
export function progress(io: CliIo, tag: string, message: string): void {
  io.stderr.write(`[${tag}] ${message}\n`)
}

/** Writes the `--json` summary: always the LAST line of stdout. */
export function writeJsonSummary(io: CliIo, summary: Record<string, unknown>): void {
  io.stdout.write(`${JSON.stringify(summary)}\n`)
}

/** What a command module exports. */
export interface CommandModule {
  run(argv: string[], io: CliIo): Promise<number>
}

/**
 * Runs a command body, turning thrown errors into exit codes and readable messages:
 * {@link UsageError} → usage + 2, {@link InputError} → 2, anything else → 1.
 */
export async function guard(
  io: CliIo,
  name: string,
  usage: string,
  body: () => Promise<number>
): Promise<number> {
  try {
    return await body()
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`cax ${name}: ${err.message}\n\n${usage}`)
      return ExitCode.invalidInput
    }
    if (err instanceof InputError) {
      io.stderr.write(`cax ${name}: ${err.message}\n`)
      return ExitCode.invalidInput
    }
    io.stderr.write(`cax ${name}: ${err instanceof Error ? err.message : String(err)}\n`)
    return ExitCode.other
  }
}
