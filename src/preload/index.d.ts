import type { AppApi } from '../shared/ipc/contract'

declare global {
  interface Window {
    /** Present in the desktop app only; the browser shell builds an HTTP client instead. */
    api?: AppApi
  }
}
