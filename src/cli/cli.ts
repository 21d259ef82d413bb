import { appVersion } from './app-version'
import type { CliIo } from './cli-io'
import type { CommandModule } from './command-kit'
import { ExitCode } from './exit-codes'

/**
 * The `cax` command registry and dispatcher. Commands load lazily, so `cax verify` never loads
 * the emulator or the XLSX writer.
 */

/** One registered command. */
export interface CommandEntry {
  summary: string
  load: () => Promise<CommandModule>
}

/** Every `cax` command, in help order. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  pull: {
    summary:
      'pull audit records from the Management Activity API / Graph / a Log Analytics workspace into a store',
    load: () => import('./commands/pull')
  },
  push: {
    summary:
      'push a store to an Azure Data Explorer table or a Log Analytics _CL table (resumable, verified part by part)',
    load: () => import('./commands/push')
  },
  import: {
    summary: 'import Purview / Search-UnifiedAuditLog CSV, JSON or NDJSON files into a store',
    load: () => import('./commands/import')
  },
  export: {
    summary: 'export a store as CSV, NDJSON or XLSX (Excel-safe, split at 1,048,576 rows)',
    load: () => import('./commands/export')
  },
  snapshot: {
    summary: 'write a verifiable snapshot (records, ledger, annotations, log, manifest)',
    load: () => import('./commands/snapshot')
  },
  report: {
    summary: 'write a review pack (XLSX + printable HTML): resources, sharing, findings, records',
    load: () => import('./commands/report')
  },
  verify: {
    summary: 'verify a snapshot; exit 5 and name the part when anything changed',
    load: () => import('./commands/verify')
  },
  coverage: {
    summary: 'per-hour coverage of a store: complete / partial / gap / pending',
    load: () => import('./commands/coverage')
  },
  emulator: {
    summary: 'run the local Microsoft 365 emulator (fake Entra ID + audit APIs)',
    load: () => import('./commands/emulator')
  }
}

/** The top-level help text. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return `cax ${appVersion()} — Connector Audit Explorer on the command line

usage: cax <command> [options]      (cax <command> --help for its options)

commands:
${lines.join('\n')}

common options: --json (JSON summary as the last stdout line), -h/--help
exit codes: 0 ok; 1 other error; 2 invalid input; 3 partial; 4 auth; 5 tampered
`
}

/** Runs `cax` with `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage())
    return name === undefined ? ExitCode.invalidInput : ExitCode.ok
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${appVersion()}\n`)
    return ExitCode.ok
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!entry) {
    io.stderr.write(`cax: unknown command '${name}'\n\n${usage()}`)
    return ExitCode.invalidInput
  }
  const command = await entry.load()
  return command.run(rest, io)
}
