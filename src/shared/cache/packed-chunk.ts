/**
 * The hand-over of records from main to the window (sync, audit-file import, snapshot import):
 * main encodes each batch as the cache's own chunks (record-chunk.ts) and packs every chunk into
 * one byte array — dictionary-coded columns, the time column, the flattened fields as code pairs,
 * the raw text and the provenance as UTF-8 blocks — so the window stores them with almost no per-record work
 * (no JSON of ~4 KB a record, no re-encoding) and the bytes cross either transport as they are
 * (Electron IPC clones a Uint8Array; the browser shell fetches it as a binary body).
 *
 * Layout (little-endian): `u32 magic, u32 version, u32 headerBytes`, the header as UTF-8 JSON,
 * then each section of {@link PackHeader.sections} in order, every one starting on an 8-byte
 * boundary. The raw texts are one section with BYTE offsets (`rawStarts`), so the window keeps
 * them as the bytes they came as (record-chunk.ts, body "bytes" layout) and decodes a record only
 * when it is read. Pure: no Node, no DOM (TextEncoder/TextDecoder are in both).
 */
import type { NormalizedRecord } from '../audit'

import {
  CHUNK_MAX_RECORDS,
  COLUMN_SLOT,
  bodyProvenance,
  bodyProvenances,
  bodyRaw,
  encodeChunk,
  isWideCode,
  makeBody,
  poolValue,
  UnresolvedBodyError,
  type BodyChunk,
  type RecordProvenance,
  type EncodedChunk
} from './record-chunk'
import { selectJsonArrayElements } from './json-array-select'
import {
  align8,
  checkFrameSize,
  decodeColumns,
  MAGIC,
  PACK_VERSION,
  PackedChunkError,
  readFrameLayout,
  readProvenance,
  readRawStarts,
  sectionPlace,
  type FrameLayout,
  type NumberKind,
  type PackHeader,
  type SectionPlace,
  type TextKind
} from './packed-frame'
import { isPackedColumns, keepPackedRows, selectColumns, type ChunkToStore } from './stored-chunk'

const encoder = new TextEncoder()

function isWellFormed(text: string): boolean {
  const s = text as string & { isWellFormed?: () => boolean }
  if (typeof s.isWellFormed === 'function') {
    return s.isWellFormed()
  }
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)
}

function textBytes(text: string): { kind: TextKind; bytes: Uint8Array } {
  if (isWellFormed(text)) {
    return { kind: 'utf8', bytes: encoder.encode(text) }
  }
  // UTF-8 cannot carry a lone surrogate: send the code units as they are.
  const units = new Uint16Array(text.length)
  for (let i = 0; i < text.length; i++) {
    units[i] = text.charCodeAt(i)
  }
  return { kind: 'utf16', bytes: new Uint8Array(units.buffer) }
}

/** A pool's text: one byte a character when every value is narrow, else as {@link textBytes}. */
function poolBytes(text: string): { kind: TextKind; bytes: Uint8Array } {
  // Checked as it is copied (a regular expression over the text first cost as long as the copy).
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (isWideCode(code)) {
      return textBytes(text)
    }
    bytes[i] = code
  }
  return { kind: 'latin1', bytes }
}

function numberKind(array: ArrayBufferView): NumberKind {
  if (array instanceof Float64Array) return 'f64'
  if (array instanceof Uint32Array) return 'u32'
  if (array instanceof Uint16Array) return 'u16'
  return 'u8'
}

/** The raw texts of a body as one section and the byte offset of each record in it. */
function rawSection(
  body: BodyChunk,
  count: number
): { kind: TextKind; bytes: Uint8Array; starts: Uint32Array } {
  if (body.rawBlob && !body.rawBytes) {
    throw new UnresolvedBodyError()
  }
  if (body.rawBytes && body.rawByteStarts) {
    // With ends, rows were dropped from these bytes: the kept texts, end to end.
    const { bytes, starts } = body.rawByteEnds
      ? keptBytes(body.rawBytes, body.rawByteStarts, body.rawByteEnds)
      : { bytes: body.rawBytes, starts: body.rawByteStarts }
    return { kind: body.isRawUtf16 === true ? 'utf16' : 'utf8', bytes, starts }
  }
  const texts = Array.from({ length: count }, (_, i) => bodyRaw(body, i))
  const starts = new Uint32Array(count + 1)
  const whole = body.text !== undefined && body.starts ? body.text : texts.join('')
  if (!isWellFormed(whole)) {
    // UTF-8 cannot carry a lone surrogate: the code units go as they are, two bytes each.
    let at = 0
    texts.forEach((text, i) => {
      starts[i] = at
      at += text.length * 2
    })
    starts[count] = at
    return { kind: 'utf16', bytes: textBytes(whole).bytes, starts }
  }
  const out = new Uint8Array(whole.length * 3)
  let at = 0
  texts.forEach((text, i) => {
    starts[i] = at
    at += encoder.encodeInto(text, out.subarray(at)).written
  })
  starts[count] = at
  return { kind: 'utf8', bytes: out.subarray(0, at), starts }
}

/** Packs one encoded chunk (its `n` and `firstRow` are not carried: the window places it). */
export function packChunk(chunk: EncodedChunk): Uint8Array {
  const { columns, body } = chunk
  const pool = poolBytes(columns.pool)
  const widePool = columns.widePool ? textBytes(columns.widePool) : null
  const raw = rawSection(body, columns.count)
  const provenance =
    body.provenanceBytes !== undefined && !body.provenanceRows
      ? { kind: 'utf8' as const, bytes: body.provenanceBytes }
      : textBytes(body.provenanceJson ?? JSON.stringify(bodyProvenances(body)))
  const parts: [string, NumberKind | TextKind, Uint8Array][] = [
    ['times', 'f64', bytesOf(columns.times)],
    ['recordType', 'f64', bytesOf(columns.recordType)],
    ['userType', 'f64', bytesOf(columns.userType)],
    ['poolStarts', 'u32', bytesOf(columns.poolStarts)],
    ['codes', numberKind(columns.codes), bytesOf(columns.codes)],
    ['pairStart', 'u32', bytesOf(columns.pairStart)],
    ['pairKey', numberKind(columns.pairKey), bytesOf(columns.pairKey)],
    ['pairValue', numberKind(columns.pairValue), bytesOf(columns.pairValue)],
    ['rawStarts', 'u32', bytesOf(raw.starts)],
    ['flags', 'u8', bytesOf(columns.flags)],
    ['pool', pool.kind, pool.bytes],
    ...(widePool
      ? [['widePool', widePool.kind, widePool.bytes] as [string, TextKind, Uint8Array]]
      : []),
    ['raw', raw.kind, raw.bytes],
    ['provenance', provenance.kind, provenance.bytes],
    // The Ids again, apart from the pool: the window dedupes a chunk by them without decoding it.
    ['ids', 'utf8', encoder.encode(JSON.stringify(chunk.ids.ids))]
  ]
  const header: PackHeader = {
    count: columns.count,
    format: columns.format,
    keys: columns.keys,
    warnings: body.warnings,
    sections: parts.map(([name, kind, bytes]) => ({ name, kind, bytes: bytes.byteLength }))
  }
  const headerBytes = encoder.encode(JSON.stringify(header))
  let size = align8(12 + headerBytes.byteLength)
  for (const [, , bytes] of parts) {
    size += align8(bytes.byteLength)
  }
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  view.setUint32(0, MAGIC, true)
  view.setUint32(4, PACK_VERSION, true)
  view.setUint32(8, headerBytes.byteLength, true)
  out.set(headerBytes, 12)
  let offset = align8(12 + headerBytes.byteLength)
  for (const [, , bytes] of parts) {
    out.set(bytes, offset)
    offset += align8(bytes.byteLength)
  }
  return out
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

/** Encodes and packs records as consecutive chunks of at most {@link CHUNK_MAX_RECORDS}. */
export function packRecords(records: readonly NormalizedRecord[]): Uint8Array[] {
  const packed: Uint8Array[] = []
  for (let i = 0; i < records.length; i += CHUNK_MAX_RECORDS) {
    packed.push(packChunk(encodeChunk(records.slice(i, i + CHUNK_MAX_RECORDS))))
  }
  return packed
}

/** Raw texts already as UTF-8 bytes: record k's text is `bytes[starts[k], starts[k + 1])`. */
export interface RawUtf8 {
  bytes: Uint8Array
  /** One offset a record plus the end (count + 1 entries). */
  starts: Uint32Array
}

/**
 * Collects raw texts as UTF-8, one after another, for {@link packRecordsWithRaw}: bytes as they
 * were read, or texts encoded once. Grows by doubling.
 */
export class RawUtf8Builder {
  private bytes: Uint8Array
  private size = 0
  private readonly starts: number[] = [0]
  /** A text held a lone surrogate: UTF-8 cannot carry it, pack with {@link packRecords}. */
  hasLoneSurrogate = false

  /**
   * @param capacity bytes to start with (a batch's own size is a bound when its raw texts are
   *   cut from it), so the common batch never grows.
   * @param reuse bytes to write into instead, when they hold `capacity` (a buffer of a batch
   *   packed before: {@link buffer}); what they held is overwritten.
   */
  constructor(capacity = 1 << 20, reuse?: Uint8Array) {
    this.bytes =
      reuse && reuse.byteLength >= capacity ? reuse : new Uint8Array(Math.max(1024, capacity))
  }

  /** The whole buffer written into, for the next builder to reuse once these texts are packed. */
  get buffer(): Uint8Array {
    return this.bytes
  }

  /** Adds a raw text that is `bytes[start, end)` (UTF-8). */
  addBytes(bytes: Uint8Array, start: number, end: number): void {
    this.reserve(end - start)
    // A plain view: a Buffer's subarray costs more than the copy of a short text.
    this.bytes.set(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start), this.size)
    this.size += end - start
    this.starts.push(this.size)
  }

  /** Adds a raw text given as a string. */
  addText(text: string): void {
    if (!isWellFormed(text)) {
      this.hasLoneSurrogate = true
    }
    this.reserve(text.length * 3)
    this.size += encoder.encodeInto(text, this.bytes.subarray(this.size)).written
    this.starts.push(this.size)
  }

  /** The texts added so far. */
  finish(): RawUtf8 {
    return { bytes: this.bytes.subarray(0, this.size), starts: Uint32Array.from(this.starts) }
  }

  private reserve(more: number): void {
    if (this.size + more <= this.bytes.byteLength) {
      return
    }
    let capacity = this.bytes.byteLength * 2
    while (capacity < this.size + more) {
      capacity *= 2
    }
    const grown = new Uint8Array(capacity)
    grown.set(this.bytes.subarray(0, this.size))
    this.bytes = grown
  }
}

/**
 * {@link packRecords} for records whose raw texts the caller already holds as UTF-8 (an import
 * reads them from the file as bytes): the body of each chunk is built from those bytes and the
 * provenance given, so no raw text is joined, checked or encoded again. The records' own `raw` and
 * `provenance` are not used for the body — give them blank (`''`, null) to spare the column
 * encoder joining them. Gives the same bytes as {@link packRecords} over the records with their
 * texts, for texts without a lone surrogate (UTF-8 cannot carry one: pack those with
 * {@link packRecords}).
 */
export function packRecordsWithRaw(
  records: readonly NormalizedRecord[],
  raw: RawUtf8,
  provenance: readonly RecordProvenance[]
): Uint8Array[] {
  if (raw.starts.length !== records.length + 1 || provenance.length !== records.length) {
    throw new PackedChunkError(
      `${records.length} records with ${raw.starts.length - 1} raw texts and ${provenance.length} provenances`
    )
  }
  const packed: Uint8Array[] = []
  for (let i = 0; i < records.length; i += CHUNK_MAX_RECORDS) {
    const end = Math.min(records.length, i + CHUNK_MAX_RECORDS)
    const chunk = encodeChunk(records.slice(i, end))
    const first = raw.starts[i]!
    const starts = new Uint32Array(end - i + 1)
    for (let k = i; k <= end; k++) {
      starts[k - i] = raw.starts[k]! - first
    }
    packed.push(
      packChunk({
        ...chunk,
        body: {
          n: 0,
          rawBytes: raw.bytes.subarray(first, raw.starts[end]),
          rawByteStarts: starts,
          provenanceBytes: encoder.encode(JSON.stringify(provenance.slice(i, end))),
          warnings: chunk.body.warnings
        }
      })
    )
  }
  return packed
}

/**
 * Reads a packed chunk back as an encoded chunk (numbered 0 at row 0; the commit places it).
 * Every length and offset is checked, so a damaged frame is refused rather than misread.
 */
export function unpackChunk(packed: Uint8Array): EncodedChunk {
  checkFrameSize(packed.byteLength)
  const layout = readFrameLayout(packed, packed.byteLength)
  return decodeFrame(layout, (place) => packed.subarray(place.offset, place.offset + place.bytes))
}

/** The encoded chunk of a checked frame layout; `bytesOf` gives a section's bytes. */
function decodeFrame(
  layout: FrameLayout,
  bytesOf: (place: SectionPlace) => Uint8Array
): EncodedChunk {
  const columns = decodeColumns(layout, bytesOf)
  const count = columns.count
  const { rawStarts, isUtf16 } = readRawStarts(layout, bytesOf(sectionPlace(layout, 'rawStarts')))
  // Raw texts and provenance stay bytes (a copy owning its buffer: a view would store the whole
  // frame); a record is decoded when it is read. Main wrote the provenance as one JSON array.
  const provenance = readProvenance(layout, bytesOf(sectionPlace(layout, 'provenance')))
  const ids = new Array<string>(count)
  const idSlot = COLUMN_SLOT.id * count
  for (let i = 0; i < count; i++) {
    ids[i] = poolValue(columns, columns.codes[idSlot + i]!)
  }
  return {
    columns,
    body: {
      n: 0,
      rawBytes: bytesOf(sectionPlace(layout, 'raw')).slice(),
      rawByteStarts: rawStarts,
      ...(isUtf16 ? { isRawUtf16: true } : {}),
      provenanceBytes: provenance,
      warnings: layout.header.warnings
    },
    ids: { n: 0, firstRow: 0, ids }
  }
}

/** The time column (epoch ms) of a packed chunk, without reading the rest of it. */
export function packedTimes(packed: Uint8Array): Float64Array {
  const times = readFrameLayout(packed, packed.byteLength).places.get('times')
  if (!times) {
    throw new PackedChunkError('section times is missing')
  }
  return new Float64Array(packed.slice(times.offset, times.offset + times.bytes).buffer)
}

/**
 * The rows `keep` (ascending indexes) of an encoded chunk, as a chunk of their own: codes and
 * field pairs are copied, the pool and keys are shared (a value no kept row uses costs a few
 * bytes, not a re-encode).
 */
export function selectRows(chunk: EncodedChunk, keep: readonly number[]): EncodedChunk {
  if (keep.length === chunk.columns.count) {
    return chunk
  }
  return {
    ...selectBodyAndIds(chunk, keep, chunk.columns.count),
    columns: selectColumns(chunk.columns, keep)
  }
}

/**
 * {@link selectRows} for a chunk on its way to the store, whose columns may still be packed
 * (stored-chunk.ts): packed columns only note which rows they keep, nothing is decoded.
 */
export function selectStoredRows(chunk: ChunkToStore, keep: readonly number[]): ChunkToStore {
  const { columns } = chunk
  if (keep.length === columns.count) {
    return chunk
  }
  return {
    ...selectBodyAndIds(chunk, keep, columns.count),
    columns: isPackedColumns(columns) ? keepPackedRows(columns, keep) : selectColumns(columns, keep)
  }
}

/** The body and Ids of the rows `keep` of a chunk of `count` rows. */
function selectBodyAndIds(
  chunk: Pick<EncodedChunk, 'body' | 'ids'>,
  keep: readonly number[],
  count: number
): Pick<EncodedChunk, 'body' | 'ids'> {
  const { body } = chunk
  // A bytes or blob body keeps its bytes (selectBody): its provenance is not parsed here.
  const isBytes =
    (body.rawBytes !== undefined || body.rawBlob !== undefined) && body.rawByteStarts !== undefined
  const provenances = isBytes ? [] : bodyProvenances(body)
  const raw = new Array<string>(keep.length)
  const provenance = new Array<RecordProvenance>(keep.length)
  const warnings: BodyChunk['warnings'] = {}
  const ids = new Array<string>(keep.length)
  keep.forEach((i, k) => {
    if (!isBytes) {
      raw[k] = bodyRaw(body, i)
      provenance[k] = provenances[i] ?? null
    }
    const warned = body.warnings[i]
    if (warned) {
      warnings[k] = warned
    }
    ids[k] = chunk.ids.ids[i]!
  })
  return {
    body: { ...selectBody(body, keep, count, raw, provenance, warnings), n: body.n },
    ids: { n: chunk.ids.n, firstRow: chunk.ids.firstRow, ids }
  }
}

/**
 * The body of the rows `keep`: a body of the bytes (or blob) layout stays bytes (blob): the kept
 * byte ranges of the raw texts, a run of consecutive rows at a time, and of the provenance array,
 * nothing decoded; the other layouts become the text layout from `raw` and `provenance`.
 */
function selectBody(
  body: BodyChunk,
  keep: readonly number[],
  count: number,
  raw: readonly string[],
  provenance: readonly RecordProvenance[],
  warnings: BodyChunk['warnings']
): BodyChunk {
  const { rawBytes, rawBlob, rawByteStarts, rawByteEnds } = body
  if ((!rawBytes && !rawBlob) || !rawByteStarts) {
    return makeBody(raw, provenance, warnings)
  }
  const froms = new Uint32Array(keep.length)
  const tos = new Uint32Array(keep.length)
  let size = 0
  keep.forEach((i, k) => {
    froms[k] = rawByteStarts[i]!
    tos[k] = rawByteEnds ? rawByteEnds[i]! : rawByteStarts[i + 1]!
    size += tos[k]! - froms[k]!
  })
  let kept: Pick<BodyChunk, 'rawBytes' | 'rawBlob' | 'rawByteStarts' | 'rawByteEnds'>
  if (rawBlob && !rawBytes && size * 2 >= rawBlob.size) {
    // Most of the Blob is kept: keep all of it and point at the kept texts. Slicing a Blob costs
    // the page a round trip to the browser's blob registry per run of kept rows.
    kept = { rawBlob, rawByteStarts: froms, rawByteEnds: tos }
  } else if (rawBytes) {
    const { bytes, starts } = keptBytes(rawBytes, froms, tos)
    kept = { rawBytes: bytes, rawByteStarts: starts }
  } else {
    const { runs, starts } = keptRuns(froms, tos)
    const parts: Blob[] = []
    for (let r = 0; r < runs.length; r += 2) {
      parts.push(rawBlob!.slice(runs[r]!, runs[r + 1]!))
    }
    kept = { rawBlob: new Blob(parts), rawByteStarts: starts }
  }
  return {
    n: 0,
    ...kept,
    ...(body.isRawUtf16 === true ? { isRawUtf16: true } : {}),
    ...selectProvenance(body, keep, count),
    warnings
  }
}

/**
 * The provenance of the rows `keep` of a bytes or blob body. A provenance Blob (never read in
 * the page), or bytes that `provenanceRows` already points into, stay as they are and the rows
 * point at the kept elements; other bytes have the kept elements cut out of the JSON array.
 */
function selectProvenance(
  body: BodyChunk,
  keep: readonly number[],
  count: number
): Pick<BodyChunk, 'provenanceBytes' | 'provenanceBlob' | 'provenanceRows'> {
  const isBlob = body.provenanceBlob !== undefined && body.provenanceBytes === undefined
  if (isBlob || body.provenanceRows) {
    const rows = body.provenanceRows
    return {
      ...(isBlob
        ? { provenanceBlob: body.provenanceBlob! }
        : { provenanceBytes: body.provenanceBytes! }),
      provenanceRows: Uint32Array.from(keep, (k) => (rows ? rows[k]! : k))
    }
  }
  return {
    provenanceBytes:
      (body.provenanceBytes && selectJsonArrayElements(body.provenanceBytes, keep, count)) ??
      encoder.encode(JSON.stringify(keep.map((i) => bodyProvenance(body, i))))
  }
}

/**
 * The byte ranges `[froms[k], tos[k])` merged into runs (`[from, to)` pairs) where consecutive
 * ranges touch, and where each range starts once the runs are laid end to end.
 */
function keptRuns(froms: Uint32Array, tos: Uint32Array): { runs: number[]; starts: Uint32Array } {
  const starts = new Uint32Array(froms.length + 1)
  const runs: number[] = []
  let size = 0
  froms.forEach((from, k) => {
    const to = tos[k]!
    starts[k] = size
    size += to - from
    if (runs.length > 0 && runs[runs.length - 1] === from) {
      runs[runs.length - 1] = to
    } else {
      runs.push(from, to)
    }
  })
  starts[froms.length] = size
  return { runs, starts }
}

function copyRuns(bytes: Uint8Array, runs: readonly number[], size: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let r = 0, at = 0; r < runs.length; r += 2) {
    out.set(bytes.subarray(runs[r]!, runs[r + 1]!), at)
    at += runs[r + 1]! - runs[r]!
  }
  return out
}

/** The texts `[starts[k], ends[k])` of `bytes`, end to end, and where each starts. */
function keptBytes(
  bytes: Uint8Array,
  starts: Uint32Array,
  ends: Uint32Array
): { bytes: Uint8Array; starts: Uint32Array } {
  const { runs, starts: at } = keptRuns(starts, ends)
  return { bytes: copyRuns(bytes, runs, at[starts.length]!), starts: at }
}
