/**
 * The app's acquisition log: the same hash-chained, append-only log a `cax` store keeps
 * (src/shared/snapshot/acquisition-log.ts, `cax-acquisition-log.ndjson`), in the app's data
 * folder, so every audit file imported in the app — desktop or browser shell — is written down
 * with what it was (name, size, SHA-256, format), what came of it (rows read, stored,
 * duplicates, rejected; complete or cancelled) and the time span of its records. The UI lists it
 * in the Sync view next to coverage.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { checkLogChain } from '../../../shared/snapshot'
import type { AcquisitionLogEntry, AcquisitionLogInput } from '../../../shared/snapshot'
import type { Logger } from '../logging/logger'
import { ACQUISITION_LOG_FILE, appendAcquisitionLog } from '../snapshot/acquisition-log-file'
import { nodeSha256 } from '../snapshot/node-sha256'

/** What {@link AppAcquisitionLog} needs. */
export interface AppAcquisitionLogDeps {
  /** The folder the log file lives in (the app's data folder). */
  dir: string
  log: Logger
  /** Called after an entry was appended. */
  onDidAppend?: (entry: AcquisitionLogEntry) => void
}

/** What {@link AppAcquisitionLog.list} answers. */
export interface AcquisitionLogListing {
  /** The newest entries, newest first (at most the limit asked for). */
  entries: AcquisitionLogEntry[]
  /** How many entries the log holds. */
  total: number
  /** Breaks in the hash chain (an edited, removed or reordered entry), each naming its line. */
  problems: string[]
}

/** The most entries one listing returns. */
export const MAX_LISTED_ENTRIES = 500

/** Appends to and reads the app's acquisition log, one append at a time. */
export class AppAcquisitionLog {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly deps: AppAcquisitionLogDeps) {}

  /** Where the log is. */
  get path(): string {
    return join(this.deps.dir, ACQUISITION_LOG_FILE)
  }

  /**
   * Appends an entry (after any append under way). Resolves to the entry, or null when it could
   * not be written — a broken chain is never extended, and the failure is logged, not thrown:
   * the import it describes already happened.
   */
  append(input: AcquisitionLogInput): Promise<AcquisitionLogEntry | null> {
    const next = this.queue.then(async () => {
      try {
        const entry = await appendAcquisitionLog(this.deps.dir, input)
        this.deps.onDidAppend?.(entry)
        return entry
      } catch (error) {
        this.deps.log.warn(
          `[acquisition-log] entry not written (${input.action} ${input.source}): ${error instanceof Error ? error.message : 'unknown error'}`
        )
        return null
      }
    })
    this.queue = next
    return next
  }

  /** The newest `limit` entries (newest first), the total and any break in the chain. */
  async list(limit = MAX_LISTED_ENTRIES): Promise<AcquisitionLogListing> {
    await this.queue
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { entries: [], total: 0, problems: [] }
      }
      throw error
    }
    const chain = checkLogChain(text, nodeSha256)
    return {
      entries: chain.entries.slice(-Math.max(0, limit)).reverse(),
      total: chain.entries.length,
      problems: chain.problems.map((p) => `line ${p.line}: ${p.message}`)
    }
  }
}
