import { LedgerSchema } from '../../../shared/acquisition'
import type { Ledger } from '../../../shared/acquisition'
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord } from '../../../shared/audit'
import { decodeRecordLine } from '../../../shared/export'
import type { RecordAnnotation } from '../../../shared/export'
import {
  checkDeclaredAgainstManifest,
  checkDeclaredEntries,
  checkLogChain,
  DEFAULT_SNAPSHOT_LIMITS,
  HASHED_PARTS,
  parseManifest,
  SNAPSHOT_PARTS,
  verifySnapshotObservations
} from '../../../shared/snapshot'
import type {
  AcquisitionLogEntry,
  PartObservation,
  SnapshotLimits,
  SnapshotManifest,
  VerificationFailure,
  VerificationReport
} from '../../../shared/snapshot'

import { boundedLines, lineBatches, LineTooLongError, type LineBatch } from './bounded-lines'
import { nodeSha256 } from './node-sha256'
import { ZipEntryCountError, ZipReader } from './zip-reader'

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

const NDJSON_PARTS = new Set<string>([SNAPSHOT_PARTS.records, SNAPSHOT_PARTS.acquisitionLog])

function partLimit(limits: SnapshotLimits, part: string): number {
  return limits.maxPartBytes[part] ?? 0
}

function containerFailure(err: unknown): VerificationFailure {
  return err instanceof ZipEntryCountError
    ? {
        part: '(container)',
        code: 'container-refused',
        message: `the zip holds ${err.entryCount.toLocaleString('en-US')} entries; a snapshot has ${HASHED_PARTS.length + 1} (at most ${err.maxEntries} are read)`
      }
    : {
        part: '(container)',
        code: 'container-unreadable',
        message: `not a readable snapshot (zip): ${(err as Error).message}`
      }
}

/**
 * Reads a snapshot within bounds. Opening reads the central directory and the manifest only, and
 * refuses the file (before inflating any other part) when an entry is unknown, duplicated, over
 * its limit or its compression ratio, or declares a size other than the manifest's. Call
 * {@link verifySnapshot} first when the snapshot comes from someone else. Records are streamed,
 * one bounded line at a time.
 */
export class SnapshotReader {
  private constructor(
    private readonly zip: ZipReader,
    /** The parsed manifest. */
    readonly manifest: SnapshotManifest,
    private readonly limits: SnapshotLimits
  ) {}

  /** Opens a snapshot file; throws {@link SnapshotFormatError} when it is not one or is refused. */
  static async open(
    path: string,
    limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS
  ): Promise<SnapshotReader> {
    let zip: ZipReader
    try {
      zip = await ZipReader.open(path, { maxEntries: limits.maxEntries })
    } catch (err) {
      const failure = containerFailure(err)
      throw new SnapshotFormatError('(container)', failure.message)
    }
    try {
      const declared = checkDeclaredEntries(zip.declared, zip.fileSize, limits)
      const first = declared.failures[0]
      if (first) {
        throw new SnapshotFormatError(first.part, first.message)
      }
      if (!zip.has(SNAPSHOT_PARTS.manifest)) {
        throw new SnapshotFormatError(SNAPSHOT_PARTS.manifest, 'missing: this is not a snapshot')
      }
      const parsed = parseManifest(
        await zip.text(SNAPSHOT_PARTS.manifest, partLimit(limits, SNAPSHOT_PARTS.manifest)),
        nodeSha256
      )
      if (!parsed.ok) {
        throw new SnapshotFormatError(SNAPSHOT_PARTS.manifest, parsed.problems.join('; '))
      }
      const mismatch = checkDeclaredAgainstManifest(
        zip.declared,
        parsed.manifest,
        declared.readable
      )[0]
      if (mismatch) {
        throw new SnapshotFormatError(mismatch.part, mismatch.message)
      }
      for (const part of HASHED_PARTS) {
        if (!declared.readable.has(part)) {
          throw new SnapshotFormatError(part, 'missing')
        }
      }
      return new SnapshotReader(zip, parsed.manifest, limits)
    } catch (err) {
      zip.close()
      throw err
    }
  }

  /** Uncompressed bytes read from the file so far. */
  get inflatedBytes(): number {
    return this.zip.inflatedBytes
  }

  /** Record lines with their annotations, as stored (raw text exact). */
  async *recordLines(): AsyncGenerator<ReturnType<typeof decodeRecordLine>> {
    const part = SNAPSHOT_PARTS.records
    const lines = boundedLines(
      await this.zip.stream(part, partLimit(this.limits, part)),
      this.limits.maxLineBytes
    )
    let n = 0
    try {
      for await (const line of lines) {
        n += 1
        if (line === '') {
          continue
        }
        yield decodeRecordLine(line, n)
      }
    } catch (err) {
      if (err instanceof LineTooLongError) {
        throw new SnapshotFormatError(part, err.message)
      }
      throw err
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

  /**
   * The records part as batches of `lines` whole lines, undecoded (each within the line bound):
   * what the import's worker threads decode, normalize and pack (import/record-batch.ts).
   */
  async *recordLineBatches(lines: number): AsyncGenerator<LineBatch> {
    const part = SNAPSHOT_PARTS.records
    try {
      yield* lineBatches(
        await this.zip.stream(part, partLimit(this.limits, part)),
        this.limits.maxLineBytes,
        lines
      )
    } catch (err) {
      if (err instanceof LineTooLongError) {
        throw new SnapshotFormatError(part, err.message)
      }
      throw err
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
    const part = SNAPSHOT_PARTS.acquisitionLog
    const chain = checkLogChain(await this.zip.text(part, partLimit(this.limits, part)), nodeSha256)
    if (chain.problems.length > 0) {
      throw new SnapshotFormatError(part, chain.problems.map((p) => p.message).join('; '))
    }
    return chain.entries
  }

  /** Closes the file. */
  close(): void {
    this.zip.close()
  }

  private async json(part: string): Promise<unknown> {
    try {
      return JSON.parse(await this.zip.text(part, partLimit(this.limits, part))) as unknown
    } catch (err) {
      throw new SnapshotFormatError(part, (err as Error).message)
    }
  }
}

/** What streaming one part found; `text` is kept for the acquisition log only. */
interface Observed {
  seen: PartObservation
  text: string | null
  failure: VerificationFailure | null
}

async function observe(zip: ZipReader, name: string, limits: SnapshotLimits): Promise<Observed> {
  const hash = nodeSha256()
  let size = 0
  let lineCount = 0
  let lineBytes = 0
  const isNdjson = NDJSON_PARTS.has(name)
  const keep: Buffer[] | null = name === SNAPSHOT_PARTS.acquisitionLog ? [] : null
  try {
    for await (const chunk of await zip.stream(name, partLimit(limits, name))) {
      const buf = chunk as Buffer
      hash.update(buf)
      size += buf.length
      keep?.push(buf)
      let start = 0
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
        lineCount += 1
        if (isNdjson && lineBytes + (i - start) > limits.maxLineBytes) {
          throw new LineTooLongError(lineCount, limits.maxLineBytes)
        }
        lineBytes = 0
        start = i + 1
      }
      lineBytes += buf.length - start
      if (isNdjson && lineBytes > limits.maxLineBytes) {
        throw new LineTooLongError(lineCount + 1, limits.maxLineBytes)
      }
    }
  } catch (err) {
    if (err instanceof LineTooLongError) {
      return {
        seen: { size, sha256: '', lineCount, isRefused: true },
        text: null,
        failure: {
          part: name,
          code: 'part-line-too-long',
          message: `${name} ${err.message} (the limit keeps memory bounded): not read further`
        }
      }
    }
    return {
      seen: { size, sha256: '', lineCount, error: (err as Error).message },
      text: null,
      failure: null
    }
  }
  return {
    seen: { size, sha256: hash.digestHex(), lineCount },
    text: keep ? Buffer.concat(keep).toString('utf8') : null,
    failure: null
  }
}

/** Options of {@link verifySnapshot}. */
export interface VerifyOptions {
  /** The fingerprint the sender handed over, to compare. */
  expectedFingerprint?: string
  /** Bounds on reading (default {@link DEFAULT_SNAPSHOT_LIMITS}). */
  limits?: SnapshotLimits
  /** Filled in with the uncompressed bytes read (tests prove a refusal inflated nothing). */
  stats?: { inflatedBytes: number }
}

/**
 * Verifies a snapshot file: every part's size and SHA-256 against the manifest, no part missing or
 * added, the manifest's own hash and canonical form, the acquisition-log chain and its head, the
 * record count — and, when given, the fingerprint the sender handed over.
 *
 * Reads within bounds, in this order: the central directory (entry count, names, declared sizes,
 * compression ratios, overlaps, all against `limits`), then the manifest, then each part's declared
 * size against the manifest's — and only then inflates the parts that passed, streaming them
 * (flat memory; NDJSON lines bounded). Never throws for a damaged file: the report says what
 * failed.
 */
export async function verifySnapshot(
  path: string,
  options: VerifyOptions = {}
): Promise<VerificationReport> {
  const limits = options.limits ?? DEFAULT_SNAPSHOT_LIMITS
  if (options.stats) {
    options.stats.inflatedBytes = 0
  }
  const refused = (failure: VerificationFailure): VerificationReport => ({
    ok: false,
    fingerprint: null,
    manifest: null,
    verifiedParts: [],
    failures: [failure]
  })
  let zip: ZipReader
  try {
    zip = await ZipReader.open(path, { maxEntries: limits.maxEntries })
  } catch (err) {
    return refused(containerFailure(err))
  }
  try {
    const declared = checkDeclaredEntries(zip.declared, zip.fileSize, limits)
    if (declared.isRefused) {
      return { ...refused(declared.failures[0]!), failures: declared.failures }
    }
    const preflight = [...declared.failures]
    const M = SNAPSHOT_PARTS.manifest
    let manifestText: string | null = null
    let manifestError: string | undefined
    if (declared.readable.has(M)) {
      try {
        manifestText = await zip.text(M, partLimit(limits, M))
      } catch (err) {
        manifestError = (err as Error).message
      }
    }
    const parsed = manifestText !== null ? parseManifest(manifestText, nodeSha256) : null
    if (parsed?.ok) {
      preflight.push(
        ...checkDeclaredAgainstManifest(zip.declared, parsed.manifest, declared.readable)
      )
    }
    const parts = new Map<string, PartObservation>()
    let logText: string | null = null
    for (const name of new Set(zip.names)) {
      if (name === M || !HASHED_PARTS.includes(name)) {
        continue
      }
      if (!declared.readable.has(name)) {
        // Refused before inflating (its failure is in `preflight`): not read at all.
        parts.set(name, { size: 0, sha256: '', lineCount: 0, isRefused: true })
        continue
      }
      const seen = await observe(zip, name, limits)
      parts.set(name, seen.seen)
      if (seen.failure) {
        preflight.push(seen.failure)
      }
      if (name === SNAPSHOT_PARTS.acquisitionLog) {
        logText = seen.text
      }
    }
    if (options.stats) {
      options.stats.inflatedBytes = zip.inflatedBytes
    }
    return verifySnapshotObservations(
      {
        entryNames: zip.names,
        manifestText,
        ...(manifestError !== undefined ? { manifestError } : {}),
        parts,
        acquisitionLogText: logText,
        preflightFailures: preflight,
        ...(options.expectedFingerprint !== undefined
          ? { expectedFingerprint: options.expectedFingerprint }
          : {})
      },
      nodeSha256
    )
  } finally {
    if (options.stats) {
      options.stats.inflatedBytes = zip.inflatedBytes
    }
    zip.close()
  }
}

/** The parts a snapshot must hold (for messages and tests). */
export const REQUIRED_SNAPSHOT_PARTS: readonly string[] = [...HASHED_PARTS, SNAPSHOT_PARTS.manifest]
