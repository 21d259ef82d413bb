import type { NormalizedRecord, RecordProvenance } from '../audit'

import type { RowSource } from './csv-export'
import type { AnnotationLookup, RecordAnnotation } from './record-annotation'

/**
 * Lossless NDJSON: one line per record holding the raw record text exactly as received (as a JSON
 * string, so a pretty-printed record with line breaks still fits on one line and decodes back to
 * the same characters), plus annotations and provenance.
 */

/** One decoded NDJSON line. */
export interface NdjsonRecordLine {
  /** The audit record Id. */
  id: string
  /** Event time, UTC ISO 8601. */
  createdAt: string
  /** The record exactly as received. */
  raw: string
  annotation: RecordAnnotation | null
  provenance: RecordProvenance | null
}

/**
 * Encodes one record as one NDJSON line (ending in `\n`). `JSON.parse(line).raw === record.raw`
 * for every record: the raw text round-trips character for character, and therefore byte for
 * byte in UTF-8.
 */
export function encodeRecordLine(
  record: Pick<NormalizedRecord, 'id' | 'createdAt' | 'raw' | 'provenance'>,
  annotation?: RecordAnnotation | null
): string {
  const line: NdjsonRecordLine = {
    id: record.id,
    createdAt: record.createdAt,
    raw: record.raw,
    annotation:
      annotation && (annotation.tags.length > 0 || annotation.comment !== '') ? annotation : null,
    provenance: record.provenance
  }
  return `${JSON.stringify(line)}\n`
}

/** A line that is not a record line; the message names the line and what is wrong. */
export class NdjsonLineError extends Error {
  constructor(
    readonly lineNumber: number,
    reason: string
  ) {
    super(`NDJSON line ${lineNumber}: ${reason}`)
    this.name = 'NdjsonLineError'
  }
}

/** Decodes a line written by {@link encodeRecordLine}; throws {@link NdjsonLineError}. */
export function decodeRecordLine(text: string, lineNumber: number): NdjsonRecordLine {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new NdjsonLineError(lineNumber, `not JSON (${(err as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new NdjsonLineError(lineNumber, 'not a JSON object')
  }
  const o = parsed as Record<string, unknown>
  if (typeof o.id !== 'string' || o.id === '') {
    throw new NdjsonLineError(lineNumber, '"id" is missing or not a string')
  }
  if (typeof o.raw !== 'string') {
    throw new NdjsonLineError(lineNumber, '"raw" is missing or not a string')
  }
  const annotation = o.annotation as RecordAnnotation | null | undefined
  if (
    annotation != null &&
    (!Array.isArray(annotation.tags) || typeof annotation.comment !== 'string')
  ) {
    throw new NdjsonLineError(
      lineNumber,
      '"annotation" must be { tags: string[], comment: string }'
    )
  }
  return {
    id: o.id,
    createdAt: typeof o.createdAt === 'string' ? o.createdAt : '',
    raw: o.raw,
    annotation: annotation ?? null,
    provenance: (o.provenance as RecordProvenance | null | undefined) ?? null
  }
}

/** Summary of an NDJSON export. */
export interface NdjsonExportSummary {
  records: number
  annotated: number
  isComplete: boolean
}

/**
 * Streams records as lossless NDJSON text chunks (UTF-8 text, no BOM). Summary counts are live.
 */
export class NdjsonExport implements AsyncIterable<string> {
  /** Live account of the export. */
  readonly summary: NdjsonExportSummary = { records: 0, annotated: 0, isComplete: false }

  constructor(
    private readonly records: RowSource<NormalizedRecord>,
    private readonly annotations: AnnotationLookup = () => undefined,
    private readonly chunkChars = 64 * 1024
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    let buffer = ''
    for await (const record of this.records) {
      const annotation = this.annotations(record.id)
      this.summary.records += 1
      if (annotation) {
        this.summary.annotated += 1
      }
      buffer += encodeRecordLine(record, annotation)
      if (buffer.length >= this.chunkChars) {
        yield buffer
        buffer = ''
      }
    }
    if (buffer !== '') {
      yield buffer
    }
    this.summary.isComplete = true
  }
}

/** Starts a lossless NDJSON export (see {@link NdjsonExport}). */
export function ndjsonExport(
  records: RowSource<NormalizedRecord>,
  annotations?: AnnotationLookup
): NdjsonExport {
  return new NdjsonExport(records, annotations)
}
