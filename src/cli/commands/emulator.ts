import { USAGE as EMULATOR_USAGE } from '../../emulator/start-args'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

/** Usage of `cax emulator`. */
export const USAGE = `usage: cax emulator --port <n> --scenario <name> [--scenario-file f.json] [--seed n]
                    [--test-hooks] [--ca-file path] [--now ISO-time] [--request-log-limit n]

Starts the local Microsoft 365 emulator (fake Entra ID, Management Activity API, Graph audit
query, Log Analytics query API) in the foreground and prints its URL, CA file, tenant, client,
admin user, Log Analytics base and workspace id; Ctrl-C stops it. The same as the emulator's standalone start (src/emulator/start.ts).

${EMULATOR_USAGE}

exit codes: runs until interrupted (0); 2 bad arguments
`

/**
 * `cax emulator`: delegates to the emulator's standalone entry, which parses `process.argv` and
 * runs until SIGINT/SIGTERM. The emulator handles its own errors (exit 2); this promise does not
 * settle while it runs.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(USAGE)
    return ExitCode.ok
  }
  // start.ts reads its arguments from process.argv when it loads.
  process.argv = [process.argv[0] ?? 'node', process.argv[1] ?? 'cax', ...argv]
  await import('../../emulator/start')
  return new Promise<number>(() => undefined)
}
