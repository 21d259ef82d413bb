import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { availableParallelism } from 'node:os'
import { basename } from 'node:path'

import type { HourTally } from '../../../shared/acquisition/file-coverage'
import type { NormalizedRecord } from '../../../shared/audit'
import { decodeRecords, pickEncoded } from '../store/encoded-records'
import type { EncodedRecords } from '../store/encoded-records'

import { CsvByteRows } from './csv-byte-rows'
import type { CsvByteBatch } from './csv-byte-rows'
import { detectEncoding, detectFormat, SNIFF_BYTES } from './detect-format'
import type { CsvColumns, DetectedFormat } from './detect-format'
import { ImportFormatError } from './import-types'
import type {
  ImportBatch,
  ImportEncoding,
  ImportOptions,
  ImportSummary,
  RejectedRow,
  SeenIds
} from './import-types'
import { JsonRecordSplitter } from './json-record-splitter'
import type { SplitItem } from './json-record-splitter'
import { RecordBatchPool } from './record-batch-pool'
import type { CsvCellMap, RecordBatchOutput } from './record-batch'
import { MemorySeenIds } from './seen-ids'

/**
 * Streaming import of audit files: Purview and Search-UnifiedAuditLog CSV exports, JSON arrays
 * (Management API blobs, one or concatenated), NDJSON. Memory stays flat on multi-gigabyte
 * files: one read chunk, a few batches and the Id memory (see {@link MemorySeenIds}) are all
 * it holds. Nothing is dropped silently: every row is accepted, counted as a duplicate, or
 * rejected with its line and a reason.
 *
 * The pipeline: the calling thread reads and decodes the bytes and cuts them into rows (CSV) or
 * records (JSON) with their line numbers; batches of them go to worker threads that read the
 * cells, normalize and serialize (record-batch.ts); the answers come back in file order, and the
 * calling thread decides duplicates (in file order, so "the first copy is kept" holds) and hands
 * out {@link ImportBatch}es of serialized records, ready for a store or a window.
 */

const DEFAULT_BATCH_SIZE = 1000
const DEFAULT_MAX_KEPT_REJECTIONS = 10_000
const DEFAULT_MAX_RECORD_CHARS = 64 * 1024 * 1024
const READ_CHUNK_BYTES = 256 * 1024

/** A byte source: a Node readable stream, or any (async) iterable of byte chunks. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/**
 * One import run. Iterate it (once) with `for await` to receive {@link ImportBatch}es; the next
 * chunk of the file is read only when the consumer asks for the next batch. `summary` is live
 * and final once iteration ends.
 *
 * Iteration throws {@link ImportFormatError} when the file is empty or not a recognised format,
 * the signal's reason when aborted, and I/O errors as they are. Bad rows never throw.
 */
export class AuditImport implements AsyncIterable<ImportBatch> {
  /** The account of the import so far. */
  readonly summary: ImportSummary
  private isStarted = false

  constructor(
    private readonly openSource: () => ByteSource,
    sourceName: string,
    private readonly options: ImportOptions = {}
  ) {
    this.summary = {
      source: sourceName,
      format: null,
      encoding: null,
      bytesRead: 0,
      rowsRead: 0,
      recordsAccepted: 0,
      duplicatesCollapsed: 0,
      duplicatesWithDifferentContent: 0,
      rejectedCount: 0,
      rejections: [],
      isRejectionListTruncated: false,
      warnings: [],
      isComplete: false,
      workerThreads: 0,
      sha256: null
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ImportBatch> {
    if (this.isStarted) {
      throw new Error('[import] an AuditImport can be iterated only once')
    }
    this.isStarted = true
    return this.run()
  }

  private async *run(): AsyncGenerator<ImportBatch> {
    const batchSize = Math.max(1, this.options.batchSize ?? DEFAULT_BATCH_SIZE)
    const maxKept = this.options.maxKeptRejections ?? DEFAULT_MAX_KEPT_REJECTIONS
    const maxRecordChars = this.options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS
    const seen: SeenIds = this.options.seenIds ?? new MemorySeenIds()
    const signal = this.options.signal
    const summary = this.summary

    const bytes = countBytes(this.openSource(), summary, this.options.hashSource === true)
    const sniffed = await sniff(bytes)
    const encoding = detectEncoding(sniffed.head, sniffed.isCut)
    summary.encoding = encoding
    if (encoding === 'windows-1252') {
      summary.warnings.push(
        'The file is not valid UTF-8; it was read as Windows-1252 (§12.3). Check non-ASCII names.'
      )
    }
    const detected = detectFormat(new TextDecoder(encoding).decode(sniffed.head))
    summary.format = detected.format
    const text = detected.csv === null ? decodeText(sniffed.rest, encoding) : null

    const script = this.options.workerScript ?? null
    const workers = script === null ? 0 : (this.options.workers ?? defaultWorkers())
    const pool = new RecordBatchPool(
      workers,
      workers > 0 ? script : null,
      this.options.workerYoungGenerationMb
    )
    summary.workerThreads = pool.size
    // Batches sent ahead of the one being handed out: enough to keep every worker busy while
    // the consumer writes, few enough to keep memory flat.
    const ahead = Math.max(1, pool.size * 2)
    const inFlight: Array<{ output: Promise<RecordBatchOutput>; rejected: RejectedRow[] }> = []

    const handOut = async (next: (typeof inFlight)[number]): Promise<ImportBatch> => {
      const output = await next.output
      signal?.throwIfAborted()
      const rejections = mergeByLine(next.rejected, output.rejections)
      for (const row of rejections) {
        summary.rejectedCount += 1
        if (summary.rejections.length < maxKept) {
          summary.rejections.push(row)
        } else {
          summary.isRejectionListTruncated = true
        }
      }
      const ids = output.records.ids
      const skip: number[] = []
      const encoded = pickEncoded(output.records, (i) => {
        const verdict = seen.remember(ids[i] ?? '', output.hashes[i] ?? 0)
        if (verdict === 'new') {
          return true
        }
        skip.push(i)
        summary.duplicatesCollapsed += 1
        if (verdict === 'conflict') {
          summary.duplicatesWithDifferentContent += 1
        }
        return false
      })
      summary.rowsRead += rejections.length + ids.length
      summary.recordsAccepted += encoded.ids.length
      return new EncodedBatch(
        encoded,
        rejections,
        output.hours,
        output.packed ? { chunks: output.packed, skip } : undefined
      )
    }

    try {
      let texts: string[] = []
      let lines: number[] = []
      let rejected: RejectedRow[] = []
      const csv = detected.csv === null ? null : cellMap(detected.csv)
      const isPacked = this.options.pack === true
      const send = (): void => {
        inFlight.push({
          output: pool.run({
            source: summary.source,
            csv,
            texts,
            lines,
            ...(isPacked ? { pack: true } : {})
          }),
          rejected
        })
        texts = []
        lines = []
        rejected = []
      }
      const sendRows = (batch: CsvByteBatch): void => {
        inFlight.push({
          output: pool.run({
            source: summary.source,
            csv,
            texts: [],
            rows: { bytes: batch.bytes, spans: batch.spans },
            lines: batch.lines,
            ...(isPacked ? { pack: true } : {})
          }),
          rejected: batch.rejected
        })
      }
      const ready = async function* (): AsyncGenerator<ImportBatch> {
        while (inFlight.length > ahead) {
          const batch = await handOut(inFlight.shift() as (typeof inFlight)[number])
          if (batch.encoded.ids.length > 0 || batch.rejections.length > 0) {
            yield batch
          }
        }
      }
      if (detected.csv !== null) {
        // CSV: cut as UTF-8 bytes; the workers read the cells (csv-byte-rows.ts).
        const cutter = new CsvByteRows({ maxRecordChars, batchSize })
        for await (const chunk of utf8Chunks(sniffed.rest, encoding)) {
          signal?.throwIfAborted()
          for (const batch of cutter.push(chunk)) {
            sendRows(batch)
            yield* ready()
          }
        }
        for (const batch of cutter.end()) {
          sendRows(batch)
        }
      } else {
        for await (const item of readJsonItems(text, detected, maxRecordChars, summary)) {
          signal?.throwIfAborted()
          if (item.kind === 'reject') {
            rejected.push({
              line: item.line,
              code: item.code,
              reason: item.reason,
              excerpt: item.excerpt
            })
          } else {
            texts.push(item.text)
            lines.push(item.line)
          }
          if (texts.length + rejected.length >= batchSize) {
            send()
            yield* ready()
          }
        }
        if (texts.length + rejected.length > 0) {
          send()
        }
      }
      while (inFlight.length > 0) {
        const batch = await handOut(inFlight.shift() as (typeof inFlight)[number])
        if (batch.encoded.ids.length > 0 || batch.rejections.length > 0) {
          yield batch
        }
      }
      summary.isComplete = true
    } finally {
      for (const left of inFlight.splice(0)) {
        left.output.catch(() => undefined)
      }
      await pool.close()
    }
  }
}

/** A batch whose records are parsed from their JSON only when someone asks for objects. */
class EncodedBatch implements ImportBatch {
  private parsed: NormalizedRecord[] | null = null

  constructor(
    readonly encoded: EncodedRecords,
    readonly rejections: RejectedRow[],
    readonly hours: HourTally[],
    readonly packed?: { chunks: Uint8Array[]; skip: number[] }
  ) {}

  get records(): NormalizedRecord[] {
    this.parsed ??= decodeRecords(this.encoded)
    return this.parsed
  }
}

function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

function cellMap(columns: CsvColumns): CsvCellMap {
  return {
    auditData: columns.auditData,
    recordId: columns.recordId,
    creationDate: columns.creationDate,
    headerLength: columns.header.length
  }
}

/** Two line-ordered lists of rejections as one, in line order. */
function mergeByLine(a: RejectedRow[], b: RejectedRow[]): RejectedRow[] {
  if (a.length === 0) {
    return b
  }
  if (b.length === 0) {
    return a
  }
  return [...a, ...b].sort((x, y) => x.line - y.line)
}

/**
 * Imports an audit file from disk as a stream of batches (see {@link AuditImport}). The file
 * name (without folders) is recorded as each record's provenance.
 */
export function importAuditFile(filePath: string, options: ImportOptions = {}): AuditImport {
  return new AuditImport(
    () => createReadStream(filePath, { highWaterMark: READ_CHUNK_BYTES }),
    basename(filePath),
    options
  )
}

/** Imports audit records from any byte stream (an upload, a test buffer, a blob download). */
export function importAuditStream(
  source: ByteSource,
  sourceName: string,
  options: ImportOptions = {}
): AuditImport {
  return new AuditImport(() => source, sourceName, options)
}

/** The records of a JSON text (an array, arrays one after another, NDJSON), in file order. */
async function* readJsonItems(
  text: AsyncIterable<string> | null,
  detected: DetectedFormat,
  maxRecordChars: number,
  summary: ImportSummary
): AsyncGenerator<SplitItem> {
  const splitter = new JsonRecordSplitter({
    isLineDelimited: detected.format === 'ndjson',
    maxRecordChars
  })
  for await (const chunk of text ?? []) {
    yield* splitter.push(chunk)
  }
  yield* splitter.end()
  if (splitter.arrayCount > 1) {
    summary.warnings.push(
      `${splitter.arrayCount} JSON arrays one after another (concatenated blobs)`
    )
  }
  if (splitter.isArrayOpen) {
    summary.warnings.push('The JSON array is not closed: the file may be truncated.')
  }
}

/**
 * The bytes as UTF-8: as they are when they are UTF-8 (a BOM is left for the cutter), else
 * decoded from their encoding and encoded again (UTF-16, Windows-1252: rare, and small next to
 * the per-row work).
 */
async function* utf8Chunks(
  bytes: AsyncIterable<Uint8Array>,
  encoding: ImportEncoding
): AsyncGenerator<Uint8Array> {
  if (encoding === 'utf-8') {
    yield* bytes
    return
  }
  for await (const text of decodeText(bytes, encoding)) {
    yield Buffer.from(text, 'utf8')
  }
}

async function* countBytes(
  source: ByteSource,
  summary: ImportSummary,
  isHashed: boolean
): AsyncGenerator<Uint8Array> {
  const hasher = isHashed ? createHash('sha256') : null
  for await (const chunk of source) {
    summary.bytesRead += chunk.byteLength
    hasher?.update(chunk)
    yield chunk
  }
  if (hasher) {
    summary.sha256 = hasher.digest('hex')
  }
}

/** Reads the first {@link SNIFF_BYTES} (or the whole file, if smaller) without losing any. */
async function sniff(
  bytes: AsyncGenerator<Uint8Array>
): Promise<{ head: Uint8Array; isCut: boolean; rest: AsyncIterable<Uint8Array> }> {
  const chunks: Uint8Array[] = []
  let size = 0
  let isDone = false
  while (size < SNIFF_BYTES) {
    const next = await bytes.next()
    if (next.done) {
      isDone = true
      break
    }
    chunks.push(next.value)
    size += next.value.byteLength
  }
  const head = Buffer.concat(chunks)
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.byteLength > 0) {
      yield head
    }
    yield* bytes
  }
  if (head.byteLength === 0) {
    throw new ImportFormatError('import/empty', 'The file is empty.', '')
  }
  return {
    head: head.subarray(0, SNIFF_BYTES),
    isCut: !isDone || head.byteLength > SNIFF_BYTES,
    rest: rest()
  }
}

/** Decodes bytes to text chunks; the decoder drops a BOM and keeps split characters whole. */
async function* decodeText(
  bytes: AsyncIterable<Uint8Array>,
  encoding: ImportEncoding
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding)
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk, { stream: true })
    if (text !== '') {
      yield text
    }
  }
  const tail = decoder.decode()
  if (tail !== '') {
    yield tail
  }
}
