/**
 * `cax push <destination>`: sends a store or a snapshot to an engine the customer runs. Each
 * destination is its own module, loaded only when named.
 */
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

/** Usage of `cax push`. */
export const USAGE = `usage: cax push loganalytics ...   (a Log Analytics _CL table through a data collection rule;
                                   cax push loganalytics --help)
`

/** Runs `cax push`; resolves to the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [destination, ...rest] = argv
  if (destination === 'loganalytics') {
    const { runLogAnalyticsPush } = await import('./push-loganalytics')
    return runLogAnalyticsPush(rest, io)
  }
  if (destination === '--help' || destination === '-h') {
    io.stdout.write(USAGE)
    return ExitCode.ok
  }
  io.stderr.write(
    `cax push: ${destination === undefined ? 'name a destination' : `unknown destination '${destination}'`}\n\n${USAGE}`
  )
  return ExitCode.invalidInput
}
