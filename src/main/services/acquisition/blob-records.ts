/**
 * Reads a blob body (a JSON array of records) record by record without parsing it whole, keeping
 * each record's raw text byte for byte, and refuses a body that is truncated or malformed so the
 * blob is fetched again rather than half stored.
 */
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord, RejectCode } from '../../../shared/audit'
import { JsonRecordSplitter } from '../import/json-record-splitter'

/** A blob body that is not a complete JSON array of records. */
export class BlobFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BlobFormatError'
  }
}

/** One item read from a blob: a normalized record or a record the normalizer refused. */
export type BlobItem =
  | { kind: 'record'; index: number; record: NormalizedRecord }
  | { kind: 'rejected'; index: number; code: RejectCode; reason: string }

const SLICE = 64 * 1024
const MAX_RECORD_CHARS = 16 * 1024 * 1024

/** Checks that a body is one complete JSON array (cheap: first and last non-space characters). */
export function checkBlobShape(text: string): void {
  const head = /\S/.exec(text)
  let tail = text.length - 1
  while (tail >= 0 && /\s/.test(text[tail] ?? '')) {
    tail--
  }
  if (!head || text[head.index] !== '[' || text[tail] !== ']') {
    throw new BlobFormatError(
      head ? 'The blob body is not a complete JSON array (truncated?).' : 'The blob body is empty.'
    )
  }
}

/**
 * Yields the blob's records in order, normalized, from `skip` on (records an earlier run already
 * committed). Throws {@link BlobFormatError} for a body the splitter cannot read.
 */
export function* readBlob(text: string, contentId: string, skip = 0): Generator<BlobItem> {
  checkBlobShape(text)
  const splitter = new JsonRecordSplitter({
    isLineDelimited: false,
    maxRecordChars: MAX_RECORD_CHARS
  })
  let index = 0
  const slices = Math.ceil(text.length / SLICE)
  for (let n = 0; n <= slices; n++) {
    const items =
      n < slices ? splitter.push(text.slice(n * SLICE, (n + 1) * SLICE)) : splitter.end()
    for (const item of items) {
      if (item.kind === 'reject') {
        throw new BlobFormatError(
          `The blob body is malformed near line ${item.line}: ${item.reason}`
        )
      }
      const i = index++
      if (i < skip) {
        continue
      }
      const result = normalizeRecord(item.text)
      if (result.ok) {
        result.record.provenance = {
          source: contentId,
          line: null,
          rawSha256: null,
          csvCreationDate: null
        }
        yield { kind: 'record', index: i, record: result.record }
      } else {
        yield { kind: 'rejected', index: i, code: result.code, reason: result.reason }
      }
    }
  }
  if (splitter.arrayCount !== 1) {
    throw new BlobFormatError(`The blob body holds ${splitter.arrayCount} arrays, expected one.`)
  }
}
