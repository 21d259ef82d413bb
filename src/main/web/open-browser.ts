/**
 * Opens a URL in the user's default browser from plain Node (the browser shell has no Electron
 * `shell`). External links go through the same policy as the desktop app's.
 *
 * The browser shell's own start-up link carries a secret, and a process's command line is
 * readable by every local user (`ps`, /proc/<pid>/cmdline). So that link is never an argument:
 * it goes into a redirect page only its owner can read (0600, in a fresh 0700 folder) and the
 * browser is started on that file, as Jupyter does with its `jpserver-*-open.html`.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { toExternalHttpUrl } from '../platform/security'

export interface OpenBrowserOptions {
  platform?: NodeJS.Platform
  /** The environment the opener runs with (its PATH finds xdg-open); this process's by default. */
  env?: NodeJS.ProcessEnv
}

/** A start-up link handed to the browser through a private redirect file. */
export interface PrivateOpen {
  /** False when no browser could be started (the file is already removed then). */
  isOpened: boolean
  /** The redirect file (removed by {@link PrivateOpen.dispose}). */
  file: string
  /** Removes the redirect file and its folder; safe to call more than once. */
  dispose(): Promise<void>
}

/** The command that opens `target` (a URL or a file path) on `platform`; no shell involved. */
export function browserCommand(platform: NodeJS.Platform, target: string): [string, string[]] {
  if (platform === 'darwin') {
    return ['open', [target]]
  }
  if (platform === 'win32') {
    // rundll32 takes the target as one argument; `cmd /c start` would re-parse & and ^.
    return ['rundll32', ['url.dll,FileProtocolHandler', target]]
  }
  return ['xdg-open', [target]]
}

function launch(target: string, options: OpenBrowserOptions): Promise<boolean> {
  const [command, args] = browserCommand(options.platform ?? process.platform, target)
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: 'ignore',
      detached: true,
      ...(options.env ? { env: options.env } : {})
    })
    child.once('error', () => resolve(false))
    child.once('spawn', () => {
      child.unref()
      resolve(true)
    })
  })
}

/** Opens an external http(s) `url`; resolves false (and never throws) when it could not. */
export function openInBrowser(url: string, options: OpenBrowserOptions = {}): Promise<boolean> {
  const safe = toExternalHttpUrl(url)
  if (!safe) {
    return Promise.resolve(false)
  }
  return launch(safe, options)
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
}

/** The redirect page: a meta refresh (no script needed) and a link for browsers that ignore it. */
export function redirectPage(url: string): string {
  const href = escapeHtml(url)
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="refresh" content="0;url=${href}">` +
    '<meta name="referrer" content="no-referrer">' +
    '<title>Connector Audit Explorer</title></head>' +
    `<body><p><a href="${href}">Open Connector Audit Explorer</a></p></body></html>\n`
  )
}

/**
 * Writes a redirect page to `url` into a new private folder under `parent`: the folder is made
 * by mkdtemp (0700) and the file is created exclusively with mode 0600 (both are the user's own
 * on Windows, where the temp folder is per user).
 */
export async function writeRedirectFile(
  url: string,
  parent: string = tmpdir()
): Promise<{ file: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(parent, 'cax-open-'))
  const file = join(dir, 'open.html')
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true })
  try {
    const handle = await open(file, 'wx', 0o600)
    try {
      await handle.writeFile(redirectPage(url), 'utf8')
    } finally {
      await handle.close()
    }
  } catch (error) {
    await dispose()
    throw error
  }
  return { file, dispose }
}

/**
 * Opens a URL that carries a secret (the browser shell's one-time link) without putting it on a
 * command line: the browser is started on a private redirect file instead. Dispose of the file
 * once the link has been used or has expired.
 */
export async function openPrivately(
  url: string,
  options: OpenBrowserOptions & { tempDir?: string } = {}
): Promise<PrivateOpen> {
  if (!toExternalHttpUrl(url)) {
    throw new Error('Only http(s) links are opened')
  }
  const { file, dispose } = await writeRedirectFile(url, options.tempDir)
  const isOpened = await launch(file, options)
  if (!isOpened) {
    await dispose()
  }
  return { isOpened, file, dispose }
}
