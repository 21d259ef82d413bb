import { join } from 'node:path'

import { buildIfStale } from '../scripts/build-if-stale.mjs'

import { findElectronBinary, ROOT } from './fixtures/launchers'
import { findUnpackedApp } from './fixtures/packaged'

/** Builds the app once before the specs run (when stale) and says up front why a launcher skips. */
export default function globalSetup(): void {
  buildIfStale()
  const electron = findElectronBinary()
  if ('reason' in electron) {
    process.stderr.write(`[e2e] electron project skipped: ${electron.reason}\n`)
  }
  const packaged = findUnpackedApp(join(ROOT, 'dist'))
  if ('reason' in packaged) {
    process.stderr.write(`[e2e] packaged smoke test skipped: ${packaged.reason}\n`)
  }
}
