/**
 * Command-line arguments of the browser shell.
 */
import { parseArgs } from 'node:util'

/** The help text of `npm run start:web`. */
export const WEB_USAGE = `Usage: npm run start:web -- [options]

Serves Connector Audit Explorer to a browser on this machine (127.0.0.1 only). The printed
link works once, in one browser, within a minute of start-up; restart for a new one.

Options:
  --port <n>        port to listen on; 0 picks a free one (default 0)
  --no-open         do not open the default browser
  --data-dir <dir>  data folder (default: the desktop app's)
  -h, --help        show this help`

export interface WebArgs {
  port: number
  open: boolean
  dataDir: string | undefined
  help: boolean
}

/** Parses the command line; throws with a readable message on bad input. */
export function parseWebArgs(argv: string[]): WebArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      'no-open': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true,
    allowPositionals: false
  })
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, got "${values.port}"`)
  }
  return {
    port: Number(values.port),
    open: !values['no-open'],
    dataDir: values['data-dir'],
    help: values.help
  }
}
