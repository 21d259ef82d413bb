/**
 * Opens a URL in the user's default browser from plain Node (the browser shell has no Electron
 * `shell`). The URL goes through the same policy as the desktop app's external links.
 */
import { spawn } from 'node:child_process'

import { toExternalHttpUrl } from '../platform/security'

/** The command that opens `url` on `platform`; arguments are passed without a shell. */
export function browserCommand(platform: NodeJS.Platform, url: string): [string, string[]] {
  if (platform === 'darwin') {
    return ['open', [url]]
  }
  if (platform === 'win32') {
    // rundll32 takes the URL as one argument; `cmd /c start` would re-parse & and ^.
    return ['rundll32', ['url.dll,FileProtocolHandler', url]]
  }
  return ['xdg-open', [url]]
}

/** Opens `url`; resolves false (and never throws) when no browser could be started. */
export function openInBrowser(
  url: string,
  platform: NodeJS.Platform = process.platform
): Promise<boolean> {
  const safe = toExternalHttpUrl(url)
  if (!safe) {
    return Promise.resolve(false)
  }
  const [command, args] = browserCommand(platform, safe)
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true })
    child.once('error', () => resolve(false))
    child.once('spawn', () => {
      child.unref()
      resolve(true)
    })
  })
}
