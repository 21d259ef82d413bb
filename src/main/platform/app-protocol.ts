/**
 * The privileged app:// scheme the renderer is served from (Electron security checklist #18).
 * The origin `app://explorer` is permanent: IndexedDB (the cache) is bound to it.
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'

import { protocol } from 'electron'

import { CONTENT_SECURITY_POLICY } from '../../shared/csp'

import { APP_SCHEME, resolveAppFile } from './security'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2'
}

/** Must run before the app's `ready` event. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false }
    }
  ])
}

/** Serves the built renderer from `root` on app://explorer, with the CSP header. */
export function serveAppProtocol(root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(request.url, root)
    if (!file) {
      return new Response('Not found', { status: 404 })
    }
    try {
      const body = await readFile(file)
      return new Response(body, {
        headers: {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          // Electron security checklist #7
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Content-Type-Options': 'nosniff'
        }
      })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}
