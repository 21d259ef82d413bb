import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { PassThrough } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import yazl from 'yazl'

import type { Ledger } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { encodeRecordLine } from '../../../shared/export'
import type { RecordAnnotation } from '../../../shared/export'
import {
  buildManifest,
  checkLogChain,
  encodeLogEntry,
  GENESIS_SHA256,
  SNAPSHOT_PARTS
} from '../../../shared/snapshot'
import type { AcquisitionLogEntry, ManifestPart, SnapshotManifest } from '../../../shared/snapshot'

import { nodeSha256 } from './node-sha256'

/** What goes into a snapshot. */
export interface SnapshotContent {
  /** Records, streamed: a million never sit in memory. */
  records: AsyncIterable<NormalizedRecord> | Iterable<NormalizedRecord>
  /** The completeness ledger (see src/shared/acquisition). */
  ledger: Ledger
  /** Tags and comments by record Id. */
  annotations: Readonly<Record<string, RecordAnnotation>>
  /**
   * The acquisition log, a valid hash chain (build it with `nextLogEntry`). A function is called
   * once the records are written, with their count, so the last entry can state it (an export
   * from the app learns the count only at the end).
   */
  acquisitionLog:
    | readonly AcquisitionLogEntry[]
    | ((counts: { records: number }) => readonly AcquisitionLogEntry[])
  appVersion: string
  /** Creation time; now by default. */
  createdAt?: Date
}

/** What {@link writeSnapshot} wrote. */
export interface SnapshotWriteResult {
  path: string
  manifest: SnapshotManifest
  /** The manifest's SHA-256: hand it to the recipient to compare with `cax verify --expect`. */
  fingerprint: string
}

/**
 * Writes a snapshot zip to `outPath` (through a temporary file renamed at the end, so a crash
 * never leaves a half-written snapshot under the final name). Parts are hashed as they are
 * written; records are streamed with back-pressure.
 *
 * Throws before writing anything if the acquisition log is not a valid chain (a log given as a
 * function is checked after the records, and the temporary file is removed).
 */
export async function writeSnapshot(
  outPath: string,
  content: SnapshotContent
): Promise<SnapshotWriteResult> {
  const logOf = (
    entries: readonly AcquisitionLogEntry[]
  ): { logText: string; chain: ReturnType<typeof checkLogChain> } => {
    const logText = entries.map((e) => `${encodeLogEntry(e)}\n`).join('')
    const chain = checkLogChain(logText, nodeSha256)
    if (chain.problems.length > 0) {
      throw new Error(
        `[snapshot] the acquisition log is not a valid chain: ${chain.problems.map((p) => p.message).join('; ')}`
      )
    }
    return { logText, chain }
  }
  const early = typeof content.acquisitionLog === 'function' ? null : logOf(content.acquisitionLog)
  const createdAt = (content.createdAt ?? new Date()).toISOString()
  const mtime = new Date(createdAt)
  const tmp = `${outPath}.partial-${process.pid}`
  const zip = new yazl.ZipFile()
  // Owner-only (a snapshot is the whole cache); the rename below keeps the mode.
  const out = createWriteStream(tmp, { mode: 0o600 })
  const written = pipeline(zip.outputStream, out)
  // Observed here so an early failure of the record source is not an unhandled rejection.
  written.catch(() => undefined)
  const parts: ManifestPart[] = []

  try {
    // Records: streamed through a hashing pass-through into the zip.
    const recordsHash = nodeSha256()
    const recordsStream = new PassThrough({ highWaterMark: 256 * 1024 })
    zip.addReadStream(recordsStream, SNAPSHOT_PARTS.records, { mtime, compress: true })
    let recordCount = 0
    let recordBytes = 0
    let pending = ''
    const flush = async (): Promise<void> => {
      const buf = Buffer.from(pending, 'utf8')
      pending = ''
      recordsHash.update(buf)
      recordBytes += buf.length
      if (!recordsStream.write(buf)) {
        await once(recordsStream, 'drain')
      }
    }
    for await (const record of content.records) {
      pending += encodeRecordLine(record)
      recordCount += 1
      if (pending.length >= 64 * 1024) {
        await flush()
      }
    }
    await flush()
    recordsStream.end()
    parts.push({
      name: SNAPSHOT_PARTS.records,
      size: recordBytes,
      sha256: recordsHash.digestHex()
    })
    const { logText, chain } =
      early ??
      logOf(
        (content.acquisitionLog as (counts: { records: number }) => AcquisitionLogEntry[])({
          records: recordCount
        })
      )

    const addText = (name: string, text: string): void => {
      const buf = Buffer.from(text, 'utf8')
      const h = nodeSha256()
      h.update(buf)
      parts.push({ name, size: buf.length, sha256: h.digestHex() })
      zip.addBuffer(buf, name, { mtime, compress: true })
    }
    addText(SNAPSHOT_PARTS.ledger, `${JSON.stringify(content.ledger)}\n`)
    const annotations = Object.fromEntries(
      Object.entries(content.annotations).filter(([, a]) => a.tags.length > 0 || a.comment !== '')
    )
    addText(SNAPSHOT_PARTS.annotations, `${JSON.stringify(annotations)}\n`)
    addText(SNAPSHOT_PARTS.acquisitionLog, logText)

    const ledgerEntryCount =
      Object.keys(content.ledger.windows).length +
      Object.keys(content.ledger.blobs).length +
      Object.keys(content.ledger.queries).length
    const { manifest, text } = buildManifest(
      {
        appVersion: content.appVersion,
        createdAt,
        recordCount,
        annotationCount: Object.keys(annotations).length,
        ledgerEntryCount,
        acquisitionLogEntryCount: chain.entries.length,
        acquisitionLogHeadSha256: chain.entries.length > 0 ? chain.headSha256 : GENESIS_SHA256,
        parts
      },
      nodeSha256
    )
    zip.addBuffer(Buffer.from(text, 'utf8'), SNAPSHOT_PARTS.manifest, { mtime, compress: true })
    zip.end()
    await written
    await rename(tmp, outPath)
    return { path: outPath, manifest, fingerprint: manifest.manifestSha256 }
  } catch (err) {
    out.destroy()
    // The file is created when the stream opens, which may still be on its way: removing it
    // before the stream has closed could leave a partial file behind.
    if (!out.closed) {
      await once(out, 'close').catch(() => undefined)
    }
    await rm(tmp, { force: true })
    throw err
  }
}
