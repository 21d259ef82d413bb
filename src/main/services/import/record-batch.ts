import { hash } from 'node:crypto'

import { HourTallies, type HourTally } from '../../../shared/acquisition/file-coverage'
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord } from '../../../shared/audit'
import { packRecords, packRecordsWithRaw, RawUtf8Builder } from '../../../shared/cache/packed-chunk'
import type { RecordProvenance } from '../../../shared/cache/record-chunk'
import { decodeRecordLine } from '../../../shared/export/ndjson-export'

import { EncodedRecordsWriter, storedJson } from '../store/encoded-records'
import type { EncodedRecords } from '../store/encoded-records'

import { CsvRowReader } from './csv-row-cells'
import { parseCsvRow } from './parse-csv-row'
import type { RejectedRow } from './import-types'

/**
 * The per-record work of an import, one batch at a time: read the CSV cells, normalize
 * (reference/audit-events.md §13), hash the raw text and serialize the record as the stores
 * keep it. A pure function of its input, so it runs the same in a worker thread
 * (normalize-worker.ts) or in the calling thread; only structured-cloneable data goes in and out.
 */

/** Where a CSV export keeps what the importer reads (indexes into a row's cells). */
export interface CsvCellMap {
  auditData: number
  /** Purview `RecordId` / Search-UnifiedAuditLog `Identity`, used when AuditData has no Id. */
  recordId: number | null
  /** `CreationDate`, kept as provenance only (§12.2). */
  creationDate: number | null
  /** How many columns the header has, for the message about a short row. */
  headerLength: number
}

/** One batch of rows (CSV) or records (JSON) and the file lines they start on. */
export interface RecordBatchInput {
  /** File name (or API content id) recorded as provenance. */
  source: string
  /**
   * `file`: an import; provenance carries the line and the SHA-256 of the raw text. `api`: a
   * sync's blob; `lines` are the records' indexes in the blob (for rejections), provenance has
   * neither line nor hash (the store keys by Id alone). `snapshot`: `texts` are the record lines
   * of a snapshot (src/shared/export/ndjson-export.ts); each record's raw text is normalized
   * again and keeps the provenance its line carries.
   */
  origin?: 'file' | 'api' | 'snapshot'
  /** The CSV layout; null when `texts` are JSON records. */
  csv: CsvCellMap | null
  /** The rows (CSV) or records (JSON), as text; empty when `rows` carries them. */
  texts: string[]
  /**
   * CSV rows as UTF-8 bytes, cut by csv-byte-rows.ts: row k is `bytes[spans[2k], spans[2k + 1])`.
   * Both arrays are transferred to the worker, not copied.
   */
  rows?: { bytes: Uint8Array; spans: Uint32Array }
  lines: number[]
  /**
   * `snapshot` only, instead of `texts` and `lines`: whole record lines as UTF-8 bytes (cut by
   * main without decoding), the first of them line `firstLine`; blank lines are skipped.
   */
  bytes?: Uint8Array
  firstLine?: number
  /**
   * Pack the accepted records as cache chunks for a window (src/shared/cache/packed-chunk.ts)
   * instead of serializing them for a store: `records` then carries the Ids only.
   */
  pack?: boolean
}

/** The records of a batch that were accepted, serialized, and the rows that were refused. */
export interface RecordBatchOutput {
  /** The accepted records (NormalizedRecord with provenance), in file order. */
  records: EncodedRecords
  /** A 32-bit hash of each record's raw text (the first bytes of its SHA-256). */
  hashes: number[]
  rejections: RejectedRow[]
  /** With `pack`: the accepted records as packed cache chunks, in order. */
  packed?: Uint8Array[]
  /** The accepted records counted by tenant and UTC hour (what the file covers; file-coverage.ts). */
  hours: HourTally[]
}

const EXCERPT = 120

/** Reads, normalizes and serializes one batch. Never throws on bad rows: they are refused. */
export function processRecordBatch(input: RecordBatchInput): RecordBatchOutput {
  const hashes: number[] = []
  const rejections: RejectedRow[] = []
  const accepted: NormalizedRecord[] = []
  const tallies = new HourTallies()
  const { csv, source } = input
  const { texts, lines } = input.bytes ? splitLines(input.bytes, input.firstLine ?? 1) : input
  const isFile = input.origin === undefined || input.origin === 'file'
  const isSnapshot = input.origin === 'snapshot'
  const isPacked = input.pack === true
  const rows = input.rows
  const bytes = rows
    ? Buffer.from(rows.bytes.buffer, rows.bytes.byteOffset, rows.bytes.byteLength)
    : null
  const count = rows ? rows.spans.length >> 1 : texts.length
  const writer = new EncodedRecordsWriter()
  // Packing: each accepted record's raw text as UTF-8 (the bytes read, when read from bytes)
  // and its provenance, so the packer does not join and encode the texts again.
  const packedRaw = isPacked
    ? new RawUtf8Builder(rows ? rows.bytes.byteLength : input.bytes?.byteLength, rawScratch)
    : null
  const provenances: RecordProvenance[] = []
  for (let k = 0; k < count; k++) {
    const line = lines[k] ?? 0
    let raw: string
    let fallbackId = ''
    let csvCreationDate: string | null = null
    // The AuditData cell read from bytes: its UTF-8 and its JSON-escaped form are in `reader`.
    let isFromBytes = false
    let lineProvenance: NormalizedRecord['provenance'] = null
    let lineId = ''
    if (isSnapshot) {
      const text = texts[k] ?? ''
      try {
        const decoded = decodeRecordLine(text, line)
        raw = decoded.raw
        lineProvenance = decoded.provenance
        lineId = decoded.id
      } catch (error) {
        rejections.push({
          line,
          code: 'malformed-json',
          reason: error instanceof Error ? error.message : String(error),
          excerpt: text.slice(0, EXCERPT)
        })
        continue
      }
    } else if (rows !== null && rows !== undefined && bytes !== null && csv !== null) {
      const start = rows.spans[2 * k] ?? 0
      const end = rows.spans[2 * k + 1] ?? start
      // Packing keeps the raw text only; a store also takes the JSON-escaped cell.
      if (reader.read(bytes, start, end, csv, !isPacked)) {
        raw = reader.raw.toString('utf8', 0, reader.rawLength)
        // A blank cell is refused by the text path; bytes that are not UTF-8 decode with U+FFFD,
        // so the raw text is not those bytes: the text path serializes and hashes the text.
        isFromBytes = raw.trim() !== '' && raw.indexOf('\uFFFD') < 0
      } else {
        raw = ''
      }
      if (!isFromBytes) {
        const cells = readCsvCells(bytes.toString('utf8', start, end), csv, line, rejections)
        if (cells === null) {
          continue
        }
        ;({ raw, fallbackId, csvCreationDate } = cells)
      } else {
        fallbackId = reader.recordId
        csvCreationDate = reader.creationDate === '' ? null : reader.creationDate
      }
    } else if (csv !== null) {
      const cells = readCsvCells(texts[k] ?? '', csv, line, rejections)
      if (cells === null) {
        continue
      }
      ;({ raw, fallbackId, csvCreationDate } = cells)
    } else {
      raw = texts[k] ?? ''
    }
    // A store leaves the flattened fields out (encoded-records.ts): they need not be kept.
    const result = normalizeRecord(raw, {
      ...(fallbackId === '' ? {} : { fallbackId }),
      keepFields: isPacked
    })
    if (!result.ok) {
      const isJsonProblem = result.code === 'malformed-json' || result.code === 'not-an-object'
      const isCsvJson = csv !== null && isJsonProblem
      rejections.push({
        line,
        code: isCsvJson ? 'audit-data-not-json' : result.code,
        reason: isCsvJson
          ? `AuditData is not a JSON record: ${result.reason}`
          : isSnapshot
            ? `record ${lineId} no longer normalizes: ${result.reason}`
            : result.reason,
        excerpt: raw.slice(0, EXCERPT)
      })
      continue
    }
    const record = result.record
    if (isSnapshot) {
      record.provenance = lineProvenance
      hashes.push(0)
    } else if (isFile) {
      // The bytes read are the raw text's UTF-8: hashing them spares encoding the text again.
      const rawSha256 = isFromBytes
        ? hash('sha256', reader.raw.subarray(0, reader.rawLength), 'hex')
        : hash('sha256', raw, 'hex')
      record.provenance = { source, line, rawSha256, csvCreationDate }
      hashes.push(Number.parseInt(rawSha256.slice(0, 8), 16))
    } else {
      record.provenance = { source, line: null, rawSha256: null, csvCreationDate: null }
      hashes.push(0)
    }
    if (packedRaw !== null) {
      accepted.push(record)
      provenances.push(record.provenance)
      if (isFromBytes) {
        packedRaw.addBytes(reader.raw, 0, reader.rawLength)
      } else {
        packedRaw.addText(raw)
      }
      writer.addJson(record.id, '')
    } else if (isFromBytes) {
      writer.addWithEscapedRaw(record, reader.json, reader.jsonLength)
    } else {
      writer.addJson(record.id, storedJson(record))
    }
    tallies.add(record.organizationId, record.createdAtMs)
  }
  if (packedRaw !== null) {
    rawScratch = packedRaw.buffer
  }
  return {
    records: writer.finish(),
    hashes,
    rejections,
    hours: tallies.values(),
    ...(packedRaw !== null ? { packed: packAccepted(accepted, packedRaw, provenances) } : {})
  }
}

/**
 * The accepted records packed as cache chunks: from the raw texts' UTF-8 collected while reading
 * (the records' `raw` and `provenance` are blanked first, so the column encoder does not join
 * them for nothing; the records are not used after this), or from the records themselves when a
 * raw text holds a lone surrogate (UTF-8 cannot carry it).
 */
function packAccepted(
  accepted: NormalizedRecord[],
  raw: RawUtf8Builder,
  provenances: RecordProvenance[]
): Uint8Array[] {
  if (raw.hasLoneSurrogate) {
    return packRecords(accepted)
  }
  for (const record of accepted) {
    record.raw = ''
    record.provenance = null
  }
  return packRecordsWithRaw(accepted, raw.finish(), provenances)
}

/**
 * The raw texts' bytes of the last packed batch, reused by the next: packing copies them into the
 * packed chunks, so a batch's ~5 MB need not be fresh memory each time (where fresh memory costs:
 * see {@link splitLines}).
 */
let rawScratch: Uint8Array | undefined

/** The reader of CSV rows given as bytes; one per thread, its buffers reused batch after batch. */
const reader = new CsvRowReader()

/**
 * A CSV row's cells as the importer reads them from text, or null when the row is refused (the
 * rejection is added to `rejections`).
 */
function readCsvCells(
  text: string,
  csv: CsvCellMap,
  line: number,
  rejections: RejectedRow[]
): { raw: string; fallbackId: string; csvCreationDate: string | null } | null {
  const cells = parseCsvRow(text)
  const auditData = cells[csv.auditData]
  let problem: string | null = null
  if (cells.every((cell) => cell.trim() === '')) {
    problem = 'empty row'
  } else if (auditData === undefined) {
    problem = `row has ${cells.length} of ${csv.headerLength} columns and no AuditData (truncated row?)`
  } else if (auditData.trim() === '') {
    problem = 'AuditData is empty'
  }
  if (problem !== null || auditData === undefined) {
    rejections.push({
      line,
      code: 'audit-data-missing',
      reason: problem ?? 'AuditData is missing',
      excerpt: text.slice(0, EXCERPT)
    })
    return null
  }
  const date = csv.creationDate === null ? '' : (cells[csv.creationDate] ?? '')
  return {
    raw: auditData,
    fallbackId: csv.recordId === null ? '' : (cells[csv.recordId] ?? ''),
    csvCreationDate: date === '' ? null : date
  }
}

/**
 * The non-blank lines of UTF-8 bytes (a trailing `\r` removed) and their line numbers. Each line
 * is decoded on its own: a batch decoded whole was one string of its size (~5 MB), fresh memory
 * every batch, where a line's string is young and its memory reused (with {@link rawScratch}, a
 * packing worker spent 6.1–6.8 CPU-s on 196,608 snapshot records instead of 7.1–8.6, with a
 * quarter fewer page faults). A byte-order mark opening the bytes is skipped, as a decoder would.
 */
function splitLines(bytes: Uint8Array, firstLine: number): { texts: string[]; lines: number[] } {
  const texts: string[] = []
  const lines: number[] = []
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const length = buffer.byteLength
  let line = firstLine
  let from = length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0
  while (from < length) {
    let to = buffer.indexOf(10, from)
    if (to === -1) {
      to = length
    }
    const end = to > from && buffer[to - 1] === 13 ? to - 1 : to
    if (end > from) {
      texts.push(buffer.toString('utf8', from, end))
      lines.push(line)
    }
    line += 1
    from = to + 1
  }
  return { texts, lines }
}
