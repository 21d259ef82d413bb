/**
 * Pure security policy for windows, navigation, links, permissions and the app:// protocol.
 *
 * Electron-free so that every rule is unit-tested with hostile input (security.test.ts); the
 * window factory and the protocol handler only call these functions.
 */
import { isAbsolute, join, normalize, relative, sep } from 'node:path'

/** The privileged scheme the renderer is served from. Never change it: IndexedDB is per origin. */
export const APP_SCHEME = 'app'
/** The host of the renderer's origin. */
export const APP_HOST = 'explorer'
/** The renderer's origin: `app://explorer`. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 8192) {
    return null
  }
  try {
    return new URL(value)
  } catch {
    return null
  }
}

/**
 * True when `value` is a page of our own app: `app://explorer/...` or, in development only, the
 * dev server's origin. Credentials in the URL are refused (Electron security checklist #13).
 */
export function isAppUrl(value: unknown, devServerUrl?: string): boolean {
  const url = parseUrl(value)
  if (!url || url.username !== '' || url.password !== '') {
    return false
  }
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST) {
    return true
  }
  const dev = devServerUrl ? parseUrl(devServerUrl) : null
  return dev !== null && url.origin === dev.origin && url.protocol.startsWith('http')
}

/**
 * The URL to hand to the system browser, or null when it must not be opened.
 *
 * Only http and https, no credentials, no control characters (Electron security checklist #14/#15:
 * `shell.openExternal` with untrusted input can launch arbitrary protocol handlers).
 */
export function toExternalHttpUrl(value: unknown): string | null {
  // Control characters and whitespace can split a URL differently in the OS handler.
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || /[\u0000-\u001f\u007f\s]/.test(value)) {
    return null
  }
  const url = parseUrl(value)
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    return null
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') {
    return null
  }
  return url.href
}

/**
 * True when a web contents may navigate (or be redirected, or load a frame) to `url`: our own
 * pages only (Electron security checklist #13). Applied to every web contents the app creates.
 */
export function isNavigationAllowed(url: unknown, devServerUrl?: string): boolean {
  return isAppUrl(url, devServerUrl)
}

/** What to do when any web contents asks for a new window. */
export interface WindowOpenDecision {
  /** Never a new Electron window (Electron security checklist #14). */
  action: 'deny'
  /** The checked http(s) URL to hand to the system browser instead, or null (#15). */
  openExternal: string | null
}

/** The answer to `window.open` / a `target=_blank` link from any web contents. */
export function decideWindowOpen(url: unknown): WindowOpenDecision {
  return { action: 'deny', openExternal: toExternalHttpUrl(url) }
}

/** What the IPC layer knows about the frame that sent a message. */
export interface SenderFrame {
  url: string
  isTopFrame: boolean
}

/**
 * True when an IPC message comes from the top frame of our own origin (Electron security
 * checklist #17). Subframes, other origins and unknown frames are refused.
 */
export function isTrustedSender(
  frame: SenderFrame | null | undefined,
  devServerUrl?: string
): boolean {
  return frame != null && frame.isTopFrame && isAppUrl(frame.url, devServerUrl)
}

/**
 * Permission requests (camera, notifications, clipboard-read, ...) are all denied: the app needs
 * none (Electron security checklist #5). Kept as a function so a future need is one reviewed line.
 */
export function isPermissionAllowed(_permission: string): boolean {
  return false
}

/**
 * Maps an `app://explorer/...` request to a file under `root`, or null.
 *
 * Refuses other hosts, encoded traversal (`..%2f`), backslashes, NUL bytes and anything that
 * would resolve outside `root`. Paths without an extension fall back to index.html (client-side
 * routes).
 */
export function resolveAppFile(requestUrl: string, root: string): string | null {
  const url = parseUrl(requestUrl)
  if (!url || url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return null
  }
  return resolveStaticFile(url.pathname, root)
}

/**
 * Maps a URL path (still percent-encoded) to a file under `root`, or null when it would leave it.
 * Shared by the app:// protocol handler and the browser shell.
 */
export function resolveStaticFile(pathname: string, root: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) {
    return null
  }
  const segments = decoded.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '..' || s === '.')) {
    return null
  }
  const last = segments.at(-1)
  const relativePath = last === undefined || !last.includes('.') ? 'index.html' : segments.join('/')
  const full = normalize(join(root, relativePath))
  const rel = relative(root, full)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    return null
  }
  return full
}
