/**
 * Reading a packed chunk's frame (packed-chunk.ts writes it): the header, where each section lies,
 * and the column sections decoded and checked. Both the page's commit (which reads only the
 * header, the Ids and the raw-text offsets) and whoever reads a stored column chunk later
 * (stored-columns.ts: the query worker, governance, exports) read frames through here.
 * Pure: no Node, no DOM.
 */
import {
  CHUNK_FORMAT,
  CHUNK_MAX_RECORDS,
  STORED_TEXT_COLUMNS,
  isWideCode,
  type BodyChunk,
  type ColumnChunk
} from './record-chunk'

export const MAGIC = 0x63786163 // "cacx" read little-endian
/**
 * Version of the packed layout (3: an `ids` section, the record Ids as one JSON array, so the
 * window dedupes without decoding the pool; 2: `rawStarts` are byte offsets; 1 had UTF-16 ones).
 */
export const PACK_VERSION = 3
/** A packed chunk larger than this is refused (a chunk of 4,096 records is a few megabytes). */
export const MAX_PACKED_BYTES = 512 * 1024 * 1024

export type NumberKind = 'f64' | 'u32' | 'u16' | 'u8'
/**
 * How a text section is encoded: UTF-8, UTF-16 code units when it holds a lone surrogate, or one
 * byte a character (`latin1`: a pool of narrow values, record-chunk.ts `isNarrowValue`, read as
 * windows-1252, which is Latin-1 outside 0x80–0x9F, the C1 controls a narrow value never holds).
 */
export type TextKind = 'utf8' | 'utf16' | 'latin1'

export interface Section {
  name: string
  kind: NumberKind | TextKind
  /** Bytes of the section (before padding). */
  bytes: number
}

/** The JSON header of a packed chunk. */
export interface PackHeader {
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

export const align8 = (n: number): number => (n + 7) & ~7

const decoder = new TextDecoder('utf-8', { fatal: true })
const latin1 = new TextDecoder('windows-1252')

export function readText(bytes: Uint8Array, kind: TextKind | NumberKind): string {
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

export function readNumbers(bytes: Uint8Array, kind: NumberKind | TextKind): ArrayBufferView {
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

export function expectLength(
  name: string,
  array: ArrayBufferView & { length: number },
  n: number
): void {
  if (array.length !== n) {
    throw new PackedChunkError(`section ${name} has ${array.length} values, expected ${n}`)
  }
}

/** Where one section of a packed chunk lies in the frame. */
export interface SectionPlace {
  name: string
  kind: Section['kind']
  offset: number
  bytes: number
}

/** A packed chunk's header, checked, and where each of its sections lies. */
export interface FrameLayout {
  header: PackHeader
  places: Map<string, SectionPlace>
}

export function checkFrameSize(byteLength: number): void {
  if (byteLength < 12 || byteLength > MAX_PACKED_BYTES) {
    throw new PackedChunkError(`a packed chunk of ${byteLength} bytes`)
  }
}

/**
 * Reads and checks the header of a packed chunk of `frameBytes` bytes from `prefix`, its first
 * bytes (at least the header), and places every section inside the frame.
 */
export function readFrameLayout(prefix: Uint8Array, frameBytes: number): FrameLayout {
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
 * The column chunk of a checked frame layout (numbered 0 at row 0); `bytesOf` gives a section's
 * bytes. Every code must point into the pool and the keys and every offset stay inside its text,
 * so a damaged frame is refused rather than misread. The typed arrays own their buffers.
 */
export function decodeColumns(
  layout: FrameLayout,
  bytesOf: (place: SectionPlace) => Uint8Array
): ColumnChunk {
  const { header } = layout
  const count = header.count
  const section = (name: string): { kind: Section['kind']; bytes: Uint8Array } => {
    const found = sectionPlace(layout, name)
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
  const pairKey = numbers<Uint8Array | Uint16Array | Uint32Array>('pairKey', pairs)
  const pairValue = numbers<Uint16Array | Uint32Array>('pairValue', pairs)
  const poolSection = section('pool')
  if (poolSection.kind === 'latin1' && hasC1Byte(poolSection.bytes)) {
    // A byte 0x80–0x9F: no narrow value holds one (record-chunk.ts `isNarrowValue`).
    throw new PackedChunkError('the one-byte pool holds a byte no narrow value has')
  }
  const pool = readText(poolSection.bytes, poolSection.kind)
  const wideSection = layout.places.has('widePool') ? section('widePool') : null
  const widePool = wideSection ? readText(wideSection.bytes, wideSection.kind) : ''
  const poolStarts = section('poolStarts')
  const starts = readNumbers(poolStarts.bytes, poolStarts.kind) as Uint32Array
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
  if (pairStart[0] !== 0) {
    throw new PackedChunkError('record offsets go backwards')
  }
  for (let i = 0; i < count; i++) {
    if (pairStart[i]! > pairStart[i + 1]!) {
      throw new PackedChunkError('record offsets go backwards')
    }
  }
  return {
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
}

/**
 * Whether `bytes` hold a byte 0x80–0x9F. Reads sixteen bytes at a time where it can (four
 * words tested together) and looks closer only where a high bit is set: a pool is mostly ASCII,
 * and a regular expression over the decoded pool cost the opening of a 1M cache ~0.6 s of the
 * query worker's time.
 */
export function hasC1Byte(bytes: Uint8Array): boolean {
  let i = 0
  const end = bytes.byteLength
  // Up to a 4-byte boundary of the buffer, then whole words, then the tail.
  while (i < end && (bytes.byteOffset + i) % 4 !== 0) {
    if (isWideCode(bytes[i]!)) return true
    i++
  }
  if (i >= end) {
    return false
  }
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >>> 2)
  let w = 0
  // Four words at a time: one test of their high bits together.
  for (; w + 4 <= words.length; w += 4) {
    if (((words[w]! | words[w + 1]! | words[w + 2]! | words[w + 3]!) & 0x80808080) !== 0) {
      for (let k = i + w * 4; k < i + w * 4 + 16; k++) {
        if (isWideCode(bytes[k]!)) return true
      }
    }
  }
  for (; w < words.length; w++) {
    if ((words[w]! & 0x80808080) !== 0) {
      for (let k = i + w * 4; k < i + w * 4 + 4; k++) {
        if (isWideCode(bytes[k]!)) return true
      }
    }
  }
  for (let k = i + words.length * 4; k < end; k++) {
    if (isWideCode(bytes[k]!)) return true
  }
  return false
}

/** Where section `name` lies; throws when the frame has none. */
export function sectionPlace(layout: FrameLayout, name: string): SectionPlace {
  const found = layout.places.get(name)
  if (!found) {
    throw new PackedChunkError(`section ${name} is missing`)
  }
  return found
}

/** The record Ids of a frame's `ids` section (one JSON array of `count` strings). */
export function readIds(layout: FrameLayout, bytes: Uint8Array): string[] {
  const place = sectionPlace(layout, 'ids')
  let ids: unknown
  try {
    ids = place.kind === 'utf8' ? JSON.parse(decoder.decode(bytes)) : null
  } catch {
    ids = null
  }
  if (
    !Array.isArray(ids) ||
    ids.length !== layout.header.count ||
    !ids.every((id) => typeof id === 'string')
  ) {
    throw new PackedChunkError("the ids section of the packed chunk is not its records' Ids")
  }
  return ids as string[]
}

/** The raw texts' byte offsets (`rawStarts` section), checked against the raw section. */
export function readRawStarts(
  layout: FrameLayout,
  bytes: Uint8Array
): { rawStarts: Uint32Array; isUtf16: boolean } {
  const count = layout.header.count
  const place = sectionPlace(layout, 'rawStarts')
  const rawStarts = readNumbers(bytes, place.kind) as Uint32Array
  if (!(rawStarts instanceof Uint32Array) || rawStarts.length !== count + 1) {
    throw new PackedChunkError(
      `section rawStarts has ${rawStarts.length} values, expected ${count + 1}`
    )
  }
  const raw = sectionPlace(layout, 'raw')
  if (raw.kind !== 'utf8' && raw.kind !== 'utf16') {
    throw new PackedChunkError(`a text section cannot be ${raw.kind}`)
  }
  const isUtf16 = raw.kind === 'utf16'
  for (let i = 0; i < count; i++) {
    if (rawStarts[i]! > rawStarts[i + 1]!) {
      throw new PackedChunkError('record offsets go backwards')
    }
    if (isUtf16 && rawStarts[i]! % 2 !== 0) {
      throw new PackedChunkError('a UTF-16 raw text starts inside a code unit')
    }
  }
  if (rawStarts[count] !== raw.bytes || rawStarts[0] !== 0) {
    throw new PackedChunkError('the raw text does not match its offsets')
  }
  return { rawStarts, isUtf16 }
}

/** The provenance section's bytes (a copy), checked to be one UTF-8 JSON array. */
export function readProvenance(layout: FrameLayout, bytes: Uint8Array): Uint8Array {
  const place = sectionPlace(layout, 'provenance')
  if (place.kind !== 'utf8' || bytes[0] !== 0x5b || bytes[bytes.byteLength - 1] !== 0x5d) {
    throw new PackedChunkError('the provenance of the packed chunk is not a JSON array')
  }
  return bytes.slice()
}
