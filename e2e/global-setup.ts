import { buildIfStale } from '../scripts/build-if-stale.mjs'

import { findElectronBinary } from './fixtures/launchers'

/** Builds the app once before the specs run (when stale) and says up front why a launcher skips. */
export default function globalSetup(): void {
  buildIfStale()
  const electron = findElectronBinary()
  if ('reason' in electron) {
    process.stderr.write(`[e2e] electron project skipped: ${electron.reason}\n`)
  }
}
