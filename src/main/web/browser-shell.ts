/**
 * The browser shell's start-up, shared by its entry points: start.ts (what ships) and the
 * end-to-end tests' start-with-test-hooks.ts (not packaged).
 * `npm run start:web -- [--port <n>] [--no-open] [--data-dir <dir>]`.
 *
 * Prints exactly one line starting with `Open: ` followed by this launch's one-time link (it works
 * once, within a minute), and opens the browser on it through a private redirect file so the
 * link never appears on a command line.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { createAppCore } from '../app-core'
import { KeytarSecretStore } from '../platform/keytar-secret-store'
import { StderrLogger } from '../services/logging/logger'
import { defaultUserDataDir } from '../services/app-data/paths'
import { downloadsSnapshotLocations } from '../services/snapshot/snapshot-locations'

import { openInBrowser, openPrivately, type PrivateOpen } from './open-browser'
import { parseWebArgs, WEB_USAGE as USAGE } from './web-args'
import { startWebShell } from './server'

/** How an entry point starts the browser shell. */
export interface BrowserShellEntry {
  /** The entry file's folder (`out/main`): package.json and the renderer are found from it. */
  here: string
  /**
   * Opens the demo emulator's `/_test/*` surface. Only the test entry
   * (start-with-test-hooks.ts, not packaged) sets it; nothing at run time can.
   */
  demoTestHooks: boolean
}

/** Parses the command line, starts the browser shell and prints its one-time link. */
export async function runBrowserShell(entry: BrowserShellEntry): Promise<void> {
  let args: ReturnType<typeof parseWebArgs>
  try {
    args = parseWebArgs(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`)
    process.exit(2)
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const { here } = entry
  const pkg = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as {
    version: string
  }
  const log = new StderrLogger()
  const dataDir = args.dataDir ?? defaultUserDataDir()
  const core = createAppCore({
    shell: 'browser',
    version: pkg.version,
    dataDir,
    // No dialogs in a browser: exports go to Downloads, imports arrive as uploads.
    snapshotLocations: downloadsSnapshotLocations({ dataDir }),
    log,
    demoTestHooks: entry.demoTestHooks,
    secrets: new KeytarSecretStore(),
    opener: {
      open: async (url) => {
        if (!(await openInBrowser(url))) {
          throw new Error('No browser could be opened')
        }
      }
    }
  })
  let shell: Awaited<ReturnType<typeof startWebShell>>
  // The redirect file is removed as soon as the link is used or has expired.
  let redirect: PrivateOpen | undefined
  const disposeRedirect = (): Promise<void> => redirect?.dispose() ?? Promise.resolve()
  try {
    shell = await startWebShell({
      ...core,
      rendererDir: join(here, '../renderer'),
      log,
      port: args.port,
      onLinkUsed: () => void disposeRedirect()
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `Port ${args.port} is in use; pick another with --port, or --port 0 for a free one.\n`
        : `The browser shell could not start: ${(error as Error).message}\n`
    )
    process.exit(1)
  }
  process.stdout.write(`Open: ${shell.openUrl}\n`)
  process.stderr.write(
    'The link works once, in one browser, for the next minute; restart for a new one.\n'
  )
  if (args.open) {
    redirect = await openPrivately(shell.openUrl).catch(() => undefined)
    if (!redirect?.isOpened) {
      process.stderr.write('No browser could be opened; open the URL above yourself.\n')
    }
    setTimeout(() => void disposeRedirect(), shell.linkExpiresAt - Date.now()).unref()
  }
  const stop = (): void => {
    void Promise.all([shell.close(), core.close(), disposeRedirect()]).then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
