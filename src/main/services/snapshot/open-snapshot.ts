/**
 * Opening a snapshot file handed over by the OS: verify it (every part's hash, the manifest, the
 * acquisition-log chain) and describe the outcome for the `snapshots:did-open` event. Importing
 * its records is the UI's decision, after it has shown the verification.
 */
import type { EventPayload } from '../../../shared/ipc/contract'
import { DEFAULT_SNAPSHOT_LIMITS, type SnapshotLimits } from '../../../shared/snapshot'
import type { Logger } from '../logging/logger'

import { verifySnapshot } from './snapshot-reader'

/**
 * Verifies the snapshot at `path` (within `limits`: opening runs by itself, so a zip bomb opened
 * from the OS is refused before inflating) and returns the event payload, without a handle (the
 * service adds one when verification passed). Never throws.
 */
export async function openSnapshotFile(
  path: string,
  log: Logger,
  limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS,
  verify: typeof verifySnapshot = verifySnapshot
): Promise<EventPayload<'snapshots:did-open'>> {
  let report: Awaited<ReturnType<typeof verifySnapshot>>
  try {
    report = await verify(path, { limits })
  } catch (error) {
    report = {
      ok: false,
      fingerprint: null,
      manifest: null,
      verifiedParts: [],
      failures: [
        { part: '(container)', code: 'container-unreadable', message: (error as Error).message }
      ]
    }
  }
  log.info(
    report.ok
      ? `[snapshot] opened ${path}: verified, fingerprint ${report.fingerprint ?? '?'}`
      : `[snapshot] opened ${path}: verification failed (${report.failures.map((f) => f.code).join(', ')})`
  )
  return {
    path,
    handle: null,
    verification: {
      ok: report.ok,
      fingerprint: report.fingerprint,
      manifest: report.manifest,
      failures: report.failures.map(({ part, code, message }) => ({ part, code, message })),
      verifiedParts: report.verifiedParts
    }
  }
}
