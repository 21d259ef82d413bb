/**
 * `cax push <destination>`: sends a store's records to an engine the organisation runs. Each
 * destination is its own module, loaded on demand; this file only dispatches.
 */
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

/** The destinations and what loads each. */
const DESTINATIONS: Record<string, () => Promise<(argv: string[], io: CliIo) => Promise<number>>> =
  {
    adx: async () => (await import('./push-adx')).runAdxPush,
    loganalytics: async () => (await import('./push-loganalytics')).runLogAnalyticsPush
  }

/** The usage text of `cax push`. */
export const PUSH_USAGE = `usage: cax push <destination> [options]      (cax push <destination> --help)

destinations:
  adx           an Azure Data Explorer table (gzip NDJSON parts, journaled, verified by counts)
  loganalytics  a Log Analytics _CL table through a data collection rule (Logs Ingestion API;
                journaled, 413 split, 429 honoured, each part counted back)
`

/** Runs `cax push`; resolves to the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [destination, ...rest] = argv
  if (destination === undefined || destination === '--help' || destination === '-h') {
    io.stdout.write(PUSH_USAGE)
    return destination === undefined ? ExitCode.invalidInput : ExitCode.ok
  }
  const load = DESTINATIONS[destination]
  if (!load) {
    io.stderr.write(`cax push: unknown destination '${destination}'\n\n${PUSH_USAGE}`)
    return ExitCode.invalidInput
  }
  return (await load())(rest, io)
}
