import { createInterface } from 'node:readline'

import { LedgerSchema } from '../../../shared/acquisition'
import type { Ledger } from '../../../shared/acquisition'
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord } from '../../../shared/audit'
import { decodeRecordLine } from '../../../shared/export'
import type { RecordAnnotation } from '../../../shared/export'
import {
  checkLogChain,
  HASHED_PARTS,
  parseManifest,
  SNAPSHOT_PARTS,
  verifySnapshotObservations
} from '../../../shared/snapshot'
import type {
  AcquisitionLogEntry,
  PartObservation,
  SnapshotManifest,
  VerificationReport
} from '../../../shared/snapshot'

import { nodeSha256 } from './node-sha256'
import { ZipReader } from './zip-reader'

/** A snapshot part could not be read or does not match the format; the message names the part. */
export class SnapshotFormatError extends Error {
  constructor(
    readonly part: string,
    message: string
  ) {
    super(`${part}: ${message}`)
    this.name = 'SnapshotFormatError'
  }
}

/**
 * Reads a snapshot. Opening checks the manifest only; call {@link verifySnapshot} first when the
 * snapshot comes from someone else. Records are streamed.
 */
export class SnapshotReader {
  private constructor(
    private readonly zip: ZipReader,
    /** The parsed manifest. */
    readonly manifest: SnapshotManifest
  ) {}

  /** Opens a snapshot file; throws {@link SnapshotFormatError} when it is not one. */
  static async open(path: string): Promise<SnapshotReader> {
    let zip: ZipReader
    try {
      zip = await ZipReader.open(path)
    } catch (err) {
      throw new SnapshotFormatError(
        path,
        `not a readable snapshot (zip): ${(err as Error).message}`
      )
    }
    try {
      if (!zip.has(SNAPSHOT_PARTS.manifest)) {
        throw new SnapshotFormatError(SNAPSHOT_PARTS.manifest, 'missing: this is not a snapshot')
      }
      const parsed = parseManifest(await zip.text(SNAPSHOT_PARTS.manifest), nodeSha256)
      if (!parsed.ok) {
        throw new SnapshotFormatError(SNAPSHOT_PARTS.manifest, parsed.problems.join('; '))
      }
      return new SnapshotReader(zip, parsed.manifest)
    } catch (err) {
      zip.close()
      throw err
    }
  }

  /** Record lines with their annotations, as stored (raw text exact). */
  async *recordLines(): AsyncGenerator<ReturnType<typeof decodeRecordLine>> {
    const lines = createInterface({
      input: await this.zip.stream(SNAPSHOT_PARTS.records),
      crlfDelay: Infinity
    })
    let n = 0
    for await (const line of lines) {
      n += 1
      if (line === '') {
        continue
      }
      yield decodeRecordLine(line, n)
    }
  }

  /** Records, normalized again from their raw text (derived columns are rebuilt, provenance kept). */
  async *records(): AsyncGenerator<NormalizedRecord> {
    for await (const line of this.recordLines()) {
      const result = normalizeRecord(line.raw)
      if (!result.ok) {
        throw new SnapshotFormatError(
          SNAPSHOT_PARTS.records,
          `record ${line.id} no longer normalizes: ${result.reason}`
        )
      }
      result.record.provenance = line.provenance
      yield result.record
    }
  }

  /** The ledger. */
  async ledger(): Promise<Ledger> {
    const parsed = LedgerSchema.safeParse(await this.json(SNAPSHOT_PARTS.ledger))
    if (!parsed.success) {
      throw new SnapshotFormatError(SNAPSHOT_PARTS.ledger, parsed.error.message)
    }
    return parsed.data
  }

  /** Tags and comments by record Id. */
  async annotations(): Promise<Record<string, RecordAnnotation>> {
    const value = await this.json(SNAPSHOT_PARTS.annotations)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SnapshotFormatError(SNAPSHOT_PARTS.annotations, 'not a JSON object')
    }
    return value as Record<string, RecordAnnotation>
  }

  /** The acquisition log entries; throws when the chain is broken. */
  async acquisitionLog(): Promise<AcquisitionLogEntry[]> {
    const chain = checkLogChain(await this.zip.text(SNAPSHOT_PARTS.acquisitionLog), nodeSha256)
    if (chain.problems.length > 0) {
      throw new SnapshotFormatError(
        SNAPSHOT_PARTS.acquisitionLog,
        chain.problems.map((p) => p.message).join('; ')
      )
    }
    return chain.entries
  }

  /** Closes the file. */
  close(): void {
    this.zip.close()
  }

  private async json(part: string): Promise<unknown> {
    try {
      return JSON.parse(await this.zip.text(part)) as unknown
    } catch (err) {
      throw new SnapshotFormatError(part, (err as Error).message)
    }
  }
}

async function observe(zip: ZipReader, name: string): Promise<PartObservation> {
  const hash = nodeSha256()
  let size = 0
  let lineCount = 0
  try {
    for await (const chunk of await zip.stream(name)) {
      const buf = chunk as Buffer
      hash.update(buf)
      size += buf.length
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) {
        lineCount += 1
      }
    }
  } catch (err) {
    return { size, sha256: '', lineCount, error: (err as Error).message }
  }
  return { size, sha256: hash.digestHex(), lineCount }
}

/**
 * Verifies a snapshot file: every part's size and SHA-256 against the manifest, no part missing or
 * added, the manifest's own hash and canonical form, the acquisition-log chain and its head, the
 * record count — and, when given, the fingerprint the sender handed over. Streams every part
 * (flat memory). Never throws for a damaged file: the report says what failed.
 */
export async function verifySnapshot(
  path: string,
  options: { expectedFingerprint?: string } = {}
): Promise<VerificationReport> {
  let zip: ZipReader
  try {
    zip = await ZipReader.open(path)
  } catch (err) {
    return {
      ok: false,
      fingerprint: null,
      manifest: null,
      verifiedParts: [],
      failures: [
        {
          part: '(container)',
          code: 'container-unreadable',
          message: `not a readable zip: ${(err as Error).message}`
        }
      ]
    }
  }
  try {
    const parts = new Map<string, PartObservation>()
    let manifestText: string | null = null
    let manifestError: string | undefined
    let logText: string | null = null
    for (const name of new Set(zip.names)) {
      if (name === SNAPSHOT_PARTS.manifest) {
        try {
          manifestText = await zip.text(name, 16 * 1024 * 1024)
        } catch (err) {
          manifestError = (err as Error).message
        }
        continue
      }
      const seen = await observe(zip, name)
      parts.set(name, seen)
      if (name === SNAPSHOT_PARTS.acquisitionLog && seen.error === undefined) {
        logText = await zip.text(name)
      }
    }
    return verifySnapshotObservations(
      {
        entryNames: zip.names,
        manifestText,
        ...(manifestError !== undefined ? { manifestError } : {}),
        parts,
        acquisitionLogText: logText,
        ...(options.expectedFingerprint !== undefined
          ? { expectedFingerprint: options.expectedFingerprint }
          : {})
      },
      nodeSha256
    )
  } finally {
    zip.close()
  }
}

/** The parts a snapshot must hold (for messages and tests). */
export const REQUIRED_SNAPSHOT_PARTS: readonly string[] = [...HASHED_PARTS, SNAPSHOT_PARTS.manifest]
