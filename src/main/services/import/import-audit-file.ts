import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'

import { normalizeRecord } from '../../../shared/audit'

import { readCsvAuditRows } from './csv-audit-rows'
import type { CsvItem } from './csv-audit-rows'
import { detectEncoding, detectFormat, SNIFF_BYTES } from './detect-format'
import type { DetectedFormat } from './detect-format'
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
import { MemorySeenIds } from './seen-ids'

/**
 * Streaming import of audit files: Purview and Search-UnifiedAuditLog CSV exports, JSON arrays
 * (Management API blobs, one or concatenated), NDJSON. Memory stays flat on multi-gigabyte
 * files: one read chunk, one batch and the Id memory (see {@link MemorySeenIds}) are all it
 * holds. Nothing is dropped silently: every row is accepted, counted as a duplicate, or
 * rejected with its line and a reason.
 */

const DEFAULT_BATCH_SIZE = 1000
const DEFAULT_MAX_KEPT_REJECTIONS = 10_000
const DEFAULT_MAX_RECORD_CHARS = 64 * 1024 * 1024
const READ_CHUNK_BYTES = 256 * 1024
const EXCERPT = 120

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
      isComplete: false
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

    const bytes = countBytes(this.openSource(), summary)
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
    const text = decodeText(sniffed.rest, encoding)
    const items = readItems(text, detected, maxRecordChars, summary)

    let batch: ImportBatch = { records: [], rejections: [] }
    const reject = (row: RejectedRow): void => {
      summary.rejectedCount += 1
      if (summary.rejections.length < maxKept) {
        summary.rejections.push(row)
      } else {
        summary.isRejectionListTruncated = true
      }
      batch.rejections.push(row)
    }

    for await (const item of items) {
      signal?.throwIfAborted()
      summary.rowsRead += 1
      if (item.kind === 'reject') {
        reject({ line: item.line, code: item.code, reason: item.reason, excerpt: item.excerpt })
      } else {
        const isCsv = 'fallbackId' in item
        const result = normalizeRecord(
          item.text,
          isCsv && item.fallbackId !== '' ? { fallbackId: item.fallbackId } : {}
        )
        if (!result.ok) {
          const isJsonProblem = result.code === 'malformed-json' || result.code === 'not-an-object'
          reject({
            line: item.line,
            code: isCsv && isJsonProblem ? 'audit-data-not-json' : result.code,
            reason:
              isCsv && isJsonProblem
                ? `AuditData is not a JSON record: ${result.reason}`
                : result.reason,
            excerpt: item.text.slice(0, EXCERPT)
          })
        } else {
          const digest = createHash('sha256').update(item.text).digest()
          const verdict = seen.remember(result.record.id, digest.readUInt32BE(0))
          if (verdict !== 'new') {
            summary.duplicatesCollapsed += 1
            if (verdict === 'conflict') {
              summary.duplicatesWithDifferentContent += 1
            }
          } else {
            result.record.provenance = {
              source: summary.source,
              line: item.line,
              rawSha256: digest.toString('hex'),
              csvCreationDate: isCsv && item.csvCreationDate !== '' ? item.csvCreationDate : null
            }
            summary.recordsAccepted += 1
            batch.records.push(result.record)
          }
        }
      }
      if (batch.records.length >= batchSize || batch.rejections.length >= batchSize) {
        const full = batch
        batch = { records: [], rejections: [] }
        yield full
      }
    }
    if (batch.records.length > 0 || batch.rejections.length > 0) {
      yield batch
    }
    summary.isComplete = true
  }
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

type Item = CsvItem | { kind: 'record'; line: number; text: string }

async function* readItems(
  text: AsyncIterable<string>,
  detected: DetectedFormat,
  maxRecordChars: number,
  summary: ImportSummary
): AsyncGenerator<Item> {
  if (detected.csv !== null) {
    yield* readCsvAuditRows(text, detected.csv, { maxRecordChars })
    return
  }
  const splitter = new JsonRecordSplitter({
    isLineDelimited: detected.format === 'ndjson',
    maxRecordChars
  })
  for await (const chunk of text) {
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

async function* countBytes(source: ByteSource, summary: ImportSummary): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    summary.bytesRead += chunk.byteLength
    yield chunk
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
