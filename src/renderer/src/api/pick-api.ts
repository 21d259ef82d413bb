/**
 * Chooses the API client once at start-up: the preload's `window.api` in the desktop app, the
 * HTTP client in the browser shell. Feature code receives an {@link AppApi} and never branches
 * on the shell.
 */
import type { AppApi } from '../../../shared/ipc/contract'

import { createHttpApi } from './http-api'

/** Which transport the UI talks through. */
export type Transport = 'ipc' | 'http'

/** Picks the client for this page. */
export function pickApi(win: Window = window): { api: AppApi; transport: Transport } {
  if (win.api) {
    return { api: win.api, transport: 'ipc' }
  }
  return { api: createHttpApi(win.location.origin), transport: 'http' }
}
