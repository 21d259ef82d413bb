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
  CHUNK_FORMAT,
  CHUNK_MAX_RECORDS,
  COLUMN_SLOT,
  STORED_TEXT_COLUMNS,
  bodyProvenance,
  bodyProvenances,
  bodyRaw,
  encodeChunk,
  isNarrowValue,
  makeBody,
  poolValue,
  UnresolvedBodyError,
  type BodyChunk,
  type RecordProvenance,
  type ColumnChunk,
  type EncodedChunk
} from './record-chunk'
import { selectJsonArrayElements } from './json-array-select'

const MAGIC = 0x63786163 // "cacx" read little-endian
/** Version of the packed layout (2: `rawStarts` are byte offsets; 1 had UTF-16 offsets). */
export const PACK_VERSION = 2
/** A packed chunk larger than this is refused (a chunk of 4,096 records is a few megabytes). */
export const MAX_PACKED_BYTES = 512 * 1024 * 1024

type NumberKind = 'f64' | 'u32' | 'u16' | 'u8'
/**
 * How a text section is encoded: UTF-8, UTF-16 code units when it holds a lone surrogate, or one
 * byte a character (`latin1`: a pool of narrow values, record-chunk.ts `isNarrowValue`, read as
 * windows-1252, which is Latin-1 outside 0x80–0x9F, the C1 controls a narrow value never holds).
 */
type TextKind = 'utf8' | 'utf16' | 'latin1'

interface Section {
  name: string
  kind: NumberKind | TextKind
  /** Bytes of the section (before padding). */
  bytes: number
}

/** The JSON header of a packed chunk. */
interface PackHeader {
  count: number
  format: number
  keys: string[]
  warnings: BodyChunk['warnings']
  sections: Section[]
}

/** Thrown for bytes that are not a packed chunk this code reads. */
export class PackedChunkError extends Error {
  override name = 'PackedChunkError'
}

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
  if (!isNarrowValue(text)) {
    return textBytes(text)
  }
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    bytes[i] = text.charCodeAt(i)
  }
  return { kind: 'latin1', bytes }
}

function numberKind(array: ArrayBufferView): NumberKind {
  if (array instanceof Float64Array) return 'f64'
  if (array instanceof Uint32Array) return 'u32'
  if (array instanceof Uint16Array) return 'u16'
  return 'u8'
}

const align8 = (n: number): number => (n + 7) & ~7

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
    body.provenanceBytes !== undefined
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
    ['provenance', provenance.kind, provenance.bytes]
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
   */
  constructor(capacity = 1 << 20) {
    this.bytes = new Uint8Array(Math.max(1024, capacity))
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

const decoder = new TextDecoder('utf-8', { fatal: true })
const latin1 = new TextDecoder('windows-1252')

function readText(bytes: Uint8Array, kind: TextKind | NumberKind): string {
  if (kind === 'utf8') {
    return decoder.decode(bytes)
  }
  if (kind === 'latin1') {
    // One character a byte (a byte 0x80–0x9F, which no narrow value holds, reads as its
    // windows-1252 character: still one UTF-16 unit, so every offset stays in place).
    return latin1.decode(bytes)
  }
  if (kind !== 'utf16' || bytes.byteLength % 2 !== 0) {
    throw new PackedChunkError(`a text section cannot be ${kind}`)
  }
  const units = new Uint16Array(bytes.slice().buffer)
  let text = ''
  for (let i = 0; i < units.length; i += 8192) {
    text += String.fromCharCode(...units.subarray(i, i + 8192))
  }
  return text
}

function readNumbers(bytes: Uint8Array, kind: NumberKind | TextKind): ArrayBufferView {
  // A copy: stored typed arrays must own their buffer (a view would store the whole frame).
  const buffer = bytes.slice().buffer
  switch (kind) {
    case 'f64':
      return new Float64Array(buffer)
    case 'u32':
      return new Uint32Array(buffer)
    case 'u16':
      return new Uint16Array(buffer)
    case 'u8':
      return new Uint8Array(buffer)
    default:
      throw new PackedChunkError(`a number section cannot be ${kind}`)
  }
}

function expectLength(name: string, array: ArrayBufferView & { length: number }, n: number): void {
  if (array.length !== n) {
    throw new PackedChunkError(`section ${name} has ${array.length} values, expected ${n}`)
  }
}

/** Where one section of a packed chunk lies in the frame. */
interface SectionPlace {
  name: string
  kind: Section['kind']
  offset: number
  bytes: number
}

/** A packed chunk's header, checked, and where each of its sections lies. */
interface FrameLayout {
  header: PackHeader
  places: Map<string, SectionPlace>
}

function checkFrameSize(byteLength: number): void {
  if (byteLength < 12 || byteLength > MAX_PACKED_BYTES) {
    throw new PackedChunkError(`a packed chunk of ${byteLength} bytes`)
  }
}

/**
 * Reads and checks the header of a packed chunk of `frameBytes` bytes from `prefix`, its first
 * bytes (at least the header), and places every section inside the frame.
 */
function readFrameLayout(prefix: Uint8Array, frameBytes: number): FrameLayout {
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
  if (prefix.byteLength < 12 || view.getUint32(0, true) !== MAGIC) {
    throw new PackedChunkError('not a packed chunk (wrong magic number)')
  }
  const version = view.getUint32(4, true)
  if (version !== PACK_VERSION) {
    throw new PackedChunkError(`packed chunk version ${version}; this app reads ${PACK_VERSION}`)
  }
  const headerLength = view.getUint32(8, true)
  if (12 + headerLength > frameBytes || 12 + headerLength > prefix.byteLength) {
    throw new PackedChunkError('the header runs past the end of the packed chunk')
  }
  let header: PackHeader
  try {
    header = JSON.parse(decoder.decode(prefix.subarray(12, 12 + headerLength))) as PackHeader
  } catch {
    throw new PackedChunkError('the header of the packed chunk is not JSON')
  }
  const count = header.count
  if (
    !Number.isInteger(count) ||
    count < 0 ||
    count > CHUNK_MAX_RECORDS ||
    header.format !== CHUNK_FORMAT
  ) {
    throw new PackedChunkError(
      `a packed chunk of ${String(count)} records in chunk format ${String(header.format)}`
    )
  }
  if (
    !Array.isArray(header.sections) ||
    !Array.isArray(header.keys) ||
    typeof header.warnings !== 'object' ||
    header.warnings === null
  ) {
    throw new PackedChunkError('the header of the packed chunk is incomplete')
  }
  const places = new Map<string, SectionPlace>()
  let offset = align8(12 + headerLength)
  for (const section of header.sections) {
    const bytes = section.bytes
    if (!Number.isInteger(bytes) || bytes < 0 || offset + bytes > frameBytes) {
      throw new PackedChunkError(`section ${String(section.name)} runs past the end`)
    }
    places.set(section.name, { name: section.name, kind: section.kind, offset, bytes })
    offset += align8(bytes)
  }
  return { header, places }
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

/**
 * {@link unpackChunk} for a packed chunk the browser shell's page received as a Blob (the event
 * bytes are fetched with `response.blob()`, which the browser keeps out of the page: reading an
 * 8 MB body into the page and writing it to IndexedDB cost about 40 ns of page CPU a byte, the
 * Blob about a quarter of that). Only the columns and the provenance are read into the page; the
 * raw texts, two thirds of the bytes, stay a slice of the Blob, which the body stores as it is
 * (record-chunk.ts, body "blob" layout).
 */
export async function unpackChunkBlob(packed: Blob): Promise<EncodedChunk> {
  checkFrameSize(packed.size)
  const read = async (from: number, to: number): Promise<Uint8Array> =>
    new Uint8Array(await packed.slice(from, to).arrayBuffer())
  let prefix = await read(0, Math.min(packed.size, 64 * 1024))
  if (prefix.byteLength >= 12) {
    const headerEnd = 12 + new DataView(prefix.buffer).getUint32(8, true)
    if (headerEnd > prefix.byteLength && headerEnd <= packed.size) {
      prefix = await read(0, headerEnd)
    }
  }
  const layout = readFrameLayout(prefix, packed.size)
  const raw = layout.places.get('raw')
  if (!raw) {
    throw new PackedChunkError('section raw is missing')
  }
  // The sections are laid one after another: those before the raw texts are read in one go,
  // those after it in another.
  const tailFrom = Math.min(packed.size, raw.offset + align8(raw.bytes))
  const [head, tail] = await Promise.all([read(0, raw.offset), read(tailFrom, packed.size)])
  return decodeFrame(
    layout,
    (place) =>
      place.offset < raw.offset
        ? head.subarray(place.offset, place.offset + place.bytes)
        : tail.subarray(place.offset - tailFrom, place.offset - tailFrom + place.bytes),
    packed.slice(raw.offset, raw.offset + raw.bytes)
  )
}

/**
 * The encoded chunk of a checked frame layout; `bytesOf` gives a section's bytes. With `rawBlob`,
 * the raw texts are that Blob and are not read (`bytesOf` is never asked for them).
 */
function decodeFrame(
  layout: FrameLayout,
  bytesOf: (place: SectionPlace) => Uint8Array,
  rawBlob?: Blob
): EncodedChunk {
  const { header, places } = layout
  const count = header.count
  const place = (name: string): SectionPlace => {
    const found = places.get(name)
    if (!found) {
      throw new PackedChunkError(`section ${name} is missing`)
    }
    return found
  }
  const section = (name: string): { kind: Section['kind']; bytes: Uint8Array } => {
    const found = place(name)
    return { kind: found.kind, bytes: bytesOf(found) }
  }
  const numbers = <T extends ArrayBufferView & { length: number }>(name: string, n: number): T => {
    const { kind, bytes } = section(name)
    const array = readNumbers(bytes, kind) as T
    expectLength(name, array, n)
    return array
  }
  const times = numbers<Float64Array>('times', count)
  const recordType = numbers<Float64Array>('recordType', count)
  const userType = numbers<Float64Array>('userType', count)
  const flags = numbers<Uint8Array>('flags', count)
  const codes = numbers<Uint16Array | Uint32Array>('codes', count * STORED_TEXT_COLUMNS.length)
  const pairStart = numbers<Uint32Array>('pairStart', count + 1)
  const pairs = pairStart[count]!
  const pairKey = numbers<Uint16Array | Uint32Array>('pairKey', pairs)
  const pairValue = numbers<Uint16Array | Uint32Array>('pairValue', pairs)
  const poolSection = section('pool')
  const pool = readText(poolSection.bytes, poolSection.kind)
  if (poolSection.kind === 'latin1' && !isNarrowValue(pool)) {
    // A byte 0x80–0x9F: no narrow value holds one (record-chunk.ts `isNarrowValue`).
    throw new PackedChunkError('the one-byte pool holds a byte no narrow value has')
  }
  const wideSection = places.has('widePool') ? section('widePool') : null
  const widePool = wideSection ? readText(wideSection.bytes, wideSection.kind) : ''
  const poolStarts = section('poolStarts')
  const starts = readNumbers(poolStarts.bytes, poolStarts.kind) as Uint32Array
  const rawStarts = numbers<Uint32Array>('rawStarts', count + 1)
  const raw = place('raw')
  if (raw.kind !== 'utf8' && raw.kind !== 'utf16') {
    throw new PackedChunkError(`a text section cannot be ${raw.kind}`)
  }
  // Codes must point into the pool and the keys, and offsets must stay inside their text.
  const poolSize = starts.length - 1
  if (poolSize < 0 || starts[poolSize] !== pool.length + widePool.length) {
    throw new PackedChunkError('the string pool does not match its offsets')
  }
  for (let i = 0; i < poolSize; i++) {
    // Offsets go forward, and no value straddles the one-byte pool and the wide one.
    if (starts[i]! > starts[i + 1]! || (starts[i]! < pool.length && starts[i + 1]! > pool.length)) {
      throw new PackedChunkError('the string pool does not match its offsets')
    }
  }
  for (let i = 0; i < codes.length; i++) {
    if (codes[i]! >= poolSize) throw new PackedChunkError('a column code is outside the pool')
  }
  for (let i = 0; i < pairs; i++) {
    if (pairKey[i]! >= header.keys.length || pairValue[i]! >= poolSize) {
      throw new PackedChunkError('a field code is outside the pool')
    }
  }
  const isUtf16 = raw.kind === 'utf16'
  for (let i = 0; i < count; i++) {
    if (pairStart[i]! > pairStart[i + 1]! || rawStarts[i]! > rawStarts[i + 1]!) {
      throw new PackedChunkError('record offsets go backwards')
    }
    if (isUtf16 && rawStarts[i]! % 2 !== 0) {
      throw new PackedChunkError('a UTF-16 raw text starts inside a code unit')
    }
  }
  if (rawStarts[count] !== raw.bytes || pairStart[0] !== 0 || rawStarts[0] !== 0) {
    throw new PackedChunkError('the raw text does not match its offsets')
  }
  // Raw texts and provenance stay bytes (a copy owning its buffer: a view would store the whole
  // frame); a record is decoded when it is read. Main wrote the provenance as one JSON array.
  const provenance = section('provenance')
  const last = provenance.bytes[provenance.bytes.byteLength - 1]
  if (provenance.kind !== 'utf8' || provenance.bytes[0] !== 0x5b || last !== 0x5d) {
    throw new PackedChunkError('the provenance of the packed chunk is not a JSON array')
  }
  const columns: ColumnChunk = {
    n: 0,
    firstRow: 0,
    count,
    format: header.format,
    times,
    pool,
    ...(widePool === '' ? {} : { widePool }),
    poolStarts: starts,
    codes,
    recordType,
    userType,
    flags,
    keys: header.keys.map(String),
    pairStart,
    pairKey,
    pairValue
  }
  const ids = new Array<string>(count)
  const idSlot = COLUMN_SLOT.id * count
  for (let i = 0; i < count; i++) {
    ids[i] = poolValue(columns, codes[idSlot + i]!)
  }
  return {
    columns,
    body: {
      n: 0,
      ...(rawBlob ? { rawBlob } : { rawBytes: bytesOf(raw).slice() }),
      rawByteStarts: rawStarts,
      ...(isUtf16 ? { isRawUtf16: true } : {}),
      provenanceBytes: provenance.bytes.slice(),
      warnings: header.warnings
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
  const { columns, body } = chunk
  if (keep.length === columns.count) {
    return chunk
  }
  const count = keep.length
  const slots = STORED_TEXT_COLUMNS.length
  const codes =
    columns.codes instanceof Uint16Array
      ? new Uint16Array(slots * count)
      : new Uint32Array(slots * count)
  const times = new Float64Array(count)
  const recordType = new Float64Array(count)
  const userType = new Float64Array(count)
  const flags = new Uint8Array(count)
  const pairStart = new Uint32Array(count + 1)
  let pairs = 0
  for (const i of keep) {
    pairs += columns.pairStart[i + 1]! - columns.pairStart[i]!
  }
  const pairKey =
    columns.pairKey instanceof Uint16Array ? new Uint16Array(pairs) : new Uint32Array(pairs)
  const pairValue =
    columns.pairValue instanceof Uint16Array ? new Uint16Array(pairs) : new Uint32Array(pairs)
  const raw = new Array<string>(count)
  // A bytes or blob body keeps its bytes (selectBody): its provenance is not parsed here.
  const isBytes =
    (body.rawBytes !== undefined || body.rawBlob !== undefined) && body.rawByteStarts !== undefined
  const provenances = isBytes ? [] : bodyProvenances(body)
  const provenance: RecordProvenance[] = new Array<RecordProvenance>(count)
  const warnings: BodyChunk['warnings'] = {}
  const ids = new Array<string>(count)
  let p = 0
  keep.forEach((i, k) => {
    for (let slot = 0; slot < slots; slot++) {
      codes[slot * count + k] = columns.codes[slot * columns.count + i]!
    }
    times[k] = columns.times[i]!
    recordType[k] = columns.recordType[i]!
    userType[k] = columns.userType[i]!
    flags[k] = columns.flags[i]!
    pairStart[k] = p
    for (let q = columns.pairStart[i]!; q < columns.pairStart[i + 1]!; q++, p++) {
      pairKey[p] = columns.pairKey[q]!
      pairValue[p] = columns.pairValue[q]!
    }
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
  pairStart[count] = p
  return {
    columns: {
      ...columns,
      count,
      times,
      codes,
      recordType,
      userType,
      flags,
      pairStart,
      pairKey,
      pairValue
    },
    body: { ...selectBody(body, keep, columns.count, raw, provenance, warnings), n: body.n },
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
    provenanceBytes:
      (body.provenanceBytes && selectJsonArrayElements(body.provenanceBytes, keep, count)) ??
      encoder.encode(JSON.stringify(keep.map((i) => bodyProvenance(body, i)))),
    warnings
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
