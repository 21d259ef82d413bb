/**
 * Reads a blob body (a JSON array of records) record by record without parsing it whole, keeping
 * each record's raw text byte for byte, and refuses a body that is truncated or malformed so the
 * blob is fetched again rather than half stored. {@link readBlobStream} reads a download as it
 * arrives, so a large blob is never held whole.
 */
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord, RejectCode } from '../../../shared/audit'
import { JsonRecordSplitter } from '../import/json-record-splitter'
import type { SplitItem } from '../import/json-record-splitter'
import type { RecordBatchOutput } from '../import/record-batch'
import type { RecordBatchPool } from '../import/record-batch-pool'
import type { EncodedRecords } from '../store/encoded-records'

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
const NOT_ARRAY = 'The blob body is not a complete JSON array (truncated?).'

/** Checks that a body is one complete JSON array (cheap: first and last non-space characters). */
export function checkBlobShape(text: string): void {
  const head = /\S/.exec(text)
  let tail = text.length - 1
  while (tail >= 0 && /\s/.test(text[tail] ?? '')) {
    tail--
  }
  if (!head || text[head.index] !== '[' || text[tail] !== ']') {
    throw new BlobFormatError(head ? NOT_ARRAY : 'The blob body is empty.')
  }
}

/**
 * The incremental reader behind {@link readBlob} and {@link readBlobStream}: text goes in piece
 * by piece, items come out; the same checks as {@link checkBlobShape} are made on the fly (first
 * non-space character `[`, last `]`, exactly one array).
 */
class BlobReader {
  private readonly splitter = new JsonRecordSplitter({
    isLineDelimited: false,
    maxRecordChars: MAX_RECORD_CHARS
  })
  private index = 0
  private hasContent = false
  private lastChar = ''

  constructor(
    private readonly contentId: string,
    private readonly skip: number
  ) {}

  push(text: string): BlobItem[] {
    return this.normalize(this.pushTexts(text))
  }

  end(): BlobItem[] {
    return this.normalize(this.endTexts())
  }

  /** Like {@link push}, but hands out each record's raw text with its index, not normalized. */
  pushTexts(text: string): Array<{ index: number; text: string }> {
    if (text === '') {
      return []
    }
    if (!this.hasContent) {
      const head = /\S/.exec(text)
      if (!head) {
        return []
      }
      this.hasContent = true
      if (text[head.index] !== '[') {
        throw new BlobFormatError(NOT_ARRAY)
      }
    }
    let tail = text.length - 1
    while (tail >= 0 && /\s/.test(text[tail] ?? '')) {
      tail--
    }
    if (tail >= 0) {
      this.lastChar = text[tail] ?? ''
    }
    return this.texts(this.splitter.push(text))
  }

  /** Like {@link end}, for {@link pushTexts}. */
  endTexts(): Array<{ index: number; text: string }> {
    if (!this.hasContent) {
      throw new BlobFormatError('The blob body is empty.')
    }
    const items = this.texts(this.splitter.end())
    if (this.lastChar !== ']' || this.splitter.isArrayOpen) {
      throw new BlobFormatError(NOT_ARRAY)
    }
    if (this.splitter.arrayCount !== 1) {
      throw new BlobFormatError(
        `The blob body holds ${this.splitter.arrayCount} arrays, expected one.`
      )
    }
    return items
  }

  private texts(split: SplitItem[]): Array<{ index: number; text: string }> {
    const out: Array<{ index: number; text: string }> = []
    for (const item of split) {
      if (item.kind === 'reject') {
        throw new BlobFormatError(
          `The blob body is malformed near line ${item.line}: ${item.reason}`
        )
      }
      const i = this.index++
      if (i >= this.skip) {
        out.push({ index: i, text: item.text })
      }
    }
    return out
  }

  private normalize(texts: Array<{ index: number; text: string }>): BlobItem[] {
    const out: BlobItem[] = []
    for (const { index: i, text } of texts) {
      const result = normalizeRecord(text)
      if (result.ok) {
        result.record.provenance = {
          source: this.contentId,
          line: null,
          rawSha256: null,
          csvCreationDate: null
        }
        out.push({ kind: 'record', index: i, record: result.record })
      } else {
        out.push({ kind: 'rejected', index: i, code: result.code, reason: result.reason })
      }
    }
    return out
  }
}

/**
 * Yields the blob's records in order, normalized, from `skip` on (records an earlier run already
 * committed). Throws {@link BlobFormatError} for a body the splitter cannot read.
 */
export function* readBlob(text: string, contentId: string, skip = 0): Generator<BlobItem> {
  checkBlobShape(text)
  const reader = new BlobReader(contentId, skip)
  for (let at = 0; at < text.length; at += SLICE) {
    yield* reader.push(text.slice(at, at + SLICE))
  }
  yield* reader.end()
}

/**
 * Like {@link readBlob}, but reads a byte stream (a download) as it arrives: memory holds one
 * chunk and one record, whatever the blob's size. Records are yielded before the body is known
 * to be complete; a body that turns out truncated or malformed throws {@link BlobFormatError}
 * (or the stream's own error, e.g. a `NetworkError` when the connection resets) after the
 * records before the damage, so a caller commits what it got and resumes with `skip`.
 * UTF-8 is decoded across chunk boundaries, so raw record text stays byte for byte.
 */
export async function* readBlobStream(
  body: AsyncIterable<Uint8Array | string>,
  contentId: string,
  skip = 0
): AsyncGenerator<BlobItem> {
  const decoder = new TextDecoder('utf-8')
  const reader = new BlobReader(contentId, skip)
  for await (const chunk of body) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    yield* reader.push(text)
  }
  yield* reader.push(decoder.decode())
  yield* reader.end()
}

/** One batch of a blob's records, normalized (see {@link readBlobBatches}). */
export interface BlobBatch {
  /** The accepted records: serialized as stores keep them, or objects (without a pool). */
  records: EncodedRecords | NormalizedRecord[]
  /** Records the normalizer refused, by their index in the blob. */
  rejected: Array<{ index: number; code: string; reason: string }>
  /** How many of the blob's records this batch covers (accepted and refused). */
  count: number
}

/**
 * Like {@link readBlobStream}, in batches of `batchSize` records normalized and serialized by
 * `pool` (its worker threads, when it has any: the import's per-record path), a couple of
 * batches ahead of the consumer; without a pool, as objects normalized in this thread. Same
 * guarantees: batches come in blob order, before the body is known to be complete; a body that
 * turns out truncated or malformed throws {@link BlobFormatError} after the full batches before
 * the damage.
 */
export async function* readBlobBatches(
  body: AsyncIterable<Uint8Array | string>,
  contentId: string,
  skip: number,
  pool: RecordBatchPool | null,
  batchSize: number
): AsyncGenerator<BlobBatch> {
  if (pool === null) {
    yield* readBlobObjectBatches(body, contentId, skip, batchSize)
    return
  }
  const decoder = new TextDecoder('utf-8')
  const reader = new BlobReader(contentId, skip)
  const inFlight: Array<Promise<BlobBatch>> = []
  let texts: string[] = []
  let indexes: number[] = []
  const send = (): void => {
    const count = texts.length
    inFlight.push(
      pool
        .run({ source: contentId, origin: 'api', csv: null, texts, lines: indexes })
        .then((out: RecordBatchOutput) => ({
          records: out.records,
          rejected: out.rejections.map((r) => ({ index: r.line, code: r.code, reason: r.reason })),
          count
        }))
    )
    texts = []
    indexes = []
  }
  const take = (items: Array<{ index: number; text: string }>): void => {
    for (const item of items) {
      texts.push(item.text)
      indexes.push(item.index)
      if (texts.length >= batchSize) {
        send()
      }
    }
  }
  let failure: unknown = null
  try {
    try {
      for await (const chunk of body) {
        const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
        take(reader.pushTexts(text))
        while (inFlight.length > 2) {
          yield await (inFlight.shift() as Promise<BlobBatch>)
        }
      }
      take(reader.pushTexts(decoder.decode()))
      take(reader.endTexts())
      if (texts.length > 0) {
        send()
      }
    } catch (error) {
      // The full batches before the damage still come out; the part-batch does not.
      failure = error
    }
    while (inFlight.length > 0) {
      yield await (inFlight.shift() as Promise<BlobBatch>)
    }
    if (failure !== null) {
      throw failure
    }
  } finally {
    for (const left of inFlight.splice(0)) {
      left.catch(() => undefined)
    }
  }
}

async function* readBlobObjectBatches(
  body: AsyncIterable<Uint8Array | string>,
  contentId: string,
  skip: number,
  batchSize: number
): AsyncGenerator<BlobBatch> {
  let batch: BlobBatch = { records: [], rejected: [], count: 0 }
  for await (const item of readBlobStream(body, contentId, skip)) {
    batch.count++
    if (item.kind === 'record') {
      ;(batch.records as NormalizedRecord[]).push(item.record)
    } else {
      batch.rejected.push({ index: item.index, code: item.code, reason: item.reason })
    }
    if (batch.count >= batchSize) {
      yield batch
      batch = { records: [], rejected: [], count: 0 }
    }
  }
  if (batch.count > 0) {
    yield batch
  }
}
