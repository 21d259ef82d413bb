/**
 * Column chunks stored as the packed bytes main sent (issue 13). Handed a packed chunk, the
 * window used to decode every column (copies of the typed arrays and the pool) and store the
 * decoded object, which IndexedDB serialized again: each byte of columns crossed the page
 * three times, and storing a realistic chunk cost the page ~19 ms of structured clone. Now the
 * page reads only the header, the Ids (for exact dedupe) and the raw-text offsets, and stores the
 * frame's first bytes — header and column sections — as they came: a slice of the
 * Blob the browser shell's page fetched (never read into the page), or the bytes Electron's IPC
 * gave. Whoever reads the columns (the query worker, governance, exports) decodes them then,
 * checking every code and offset ({@link readColumns}). Rows left out at the commit (Ids already
 * cached, repeats main counted) are noted in `keep`, not cut out of the bytes.
 *
 * Column chunks stored before this are plain {@link ColumnChunk}s and are read as they are.
 * Pure: no Node, no DOM beyond Blob.
 */
import { freeNow } from '../free-now'

import {
  checkFrameSize,
  decodeColumns,
  PackedChunkError,
  readFrameLayout,
  readIds,
  readProvenance,
  readRawStarts,
  sectionPlace
} from './packed-frame'
import { STORED_TEXT_COLUMNS, type BodyChunk, type ColumnChunk, type IdChunk } from './record-chunk'

/** A column chunk stored as the first bytes of its packed chunk, decoded when read. */
export interface PackedColumns {
  n: number
  firstRow: number
  /** Rows of the chunk: those `keep` names, when it names any. */
  count: number
  format: number
  /** The packed chunk up to its raw texts: the header and every column section. */
  packed: Blob | Uint8Array
  /** Bytes of the whole packed chunk (its header places every section in it). */
  frameBytes: number
  /** When rows were left out at the commit: the rows of the packed chunk kept, ascending. */
  keep?: Uint32Array
}

/** A column chunk as the `columns` table holds it. */
export type StoredColumns = ColumnChunk | PackedColumns

export function isPackedColumns(columns: StoredColumns): columns is PackedColumns {
  return 'packed' in columns
}

/** A chunk on its way to the store (its `n` and `firstRow` are set when committed). */
export interface ChunkToStore {
  columns: StoredColumns
  body: BodyChunk
  ids: IdChunk
}

/** The first read of a packed Blob: the header is almost always within it. */
const PREFIX_BYTES = 64 * 1024

/** The column sections, which packChunk lays before the raw texts. */
const COLUMN_SECTIONS = [
  'times',
  'recordType',
  'userType',
  'poolStarts',
  'codes',
  'pairStart',
  'pairKey',
  'pairValue',
  'flags',
  'pool',
  'widePool'
]

/**
 * A packed chunk made ready to store without decoding its columns: the columns are the frame's
 * bytes before the raw texts, the raw texts a slice of the frame (bytes for a Uint8Array, a Blob
 * slice for a Blob), and only the header, the raw-text offsets, the provenance and the Ids are
 * read and checked. A frame whose header, sections or offsets do not hold together is refused
 * with {@link PackedChunkError}; the column sections are checked whenever they are read.
 */
export async function chunkToStore(packed: Uint8Array | Blob): Promise<ChunkToStore> {
  const isBlob = packed instanceof Blob
  const size = isBlob ? packed.size : packed.byteLength
  checkFrameSize(size)
  const read = async (from: number, to: number): Promise<Uint8Array> =>
    isBlob ? new Uint8Array(await packed.slice(from, to).arrayBuffer()) : packed.subarray(from, to)
  let prefix = await read(0, Math.min(size, PREFIX_BYTES))
  if (prefix.byteLength >= 12) {
    const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
    const headerEnd = 12 + view.getUint32(8, true)
    if (headerEnd > prefix.byteLength && headerEnd <= size) {
      prefix = await read(0, headerEnd)
    }
  }
  const layout = readFrameLayout(prefix, size)
  const raw = sectionPlace(layout, 'raw')
  for (const name of COLUMN_SECTIONS) {
    const place = layout.places.get(name)
    if (place && place.offset + place.bytes > raw.offset) {
      throw new PackedChunkError(`section ${name} lies after the raw texts`)
    }
  }
  const provenance = sectionPlace(layout, 'provenance')
  // A Blob's provenance is not read either: it is stored as a slice, read with the raw texts.
  const [rawStartBytes, idBytes, provenanceBytes] = await Promise.all(
    ['rawStarts', 'ids', ...(isBlob ? [] : ['provenance'])].map((name) => {
      const place = sectionPlace(layout, name)
      return read(place.offset, place.offset + place.bytes)
    })
  )
  const { rawStarts, isUtf16 } = readRawStarts(layout, rawStartBytes!)
  const ids = readIds(layout, idBytes!)
  const rawEnd = raw.offset + raw.bytes
  return {
    columns: {
      n: 0,
      firstRow: 0,
      count: layout.header.count,
      format: layout.header.format,
      packed: packed.slice(0, raw.offset),
      frameBytes: size
    },
    body: {
      n: 0,
      ...(isBlob
        ? {
            rawBlob: packed.slice(raw.offset, rawEnd),
            provenanceBlob: packed.slice(provenance.offset, provenance.offset + provenance.bytes)
          }
        : {
            rawBytes: packed.slice(raw.offset, rawEnd),
            provenanceBytes: readProvenance(layout, provenanceBytes!)
          }),
      rawByteStarts: rawStarts,
      ...(isUtf16 ? { isRawUtf16: true } : {}),
      warnings: layout.header.warnings
    },
    ids: { n: 0, firstRow: 0, ids }
  }
}

/**
 * A stored column chunk, decoded: packed columns are read (a Blob's bytes), checked and decoded,
 * their kept rows selected; a plain column chunk is returned as it is. Throws
 * {@link PackedChunkError} naming the chunk when its bytes do not hold together.
 */
export async function readColumns(stored: StoredColumns): Promise<ColumnChunk> {
  if (!isPackedColumns(stored)) {
    return stored
  }
  if (!(stored.packed instanceof Blob)) {
    return decodePackedColumns(stored, stored.packed)
  }
  // Bytes read for this alone: the decoded columns are copies (packed-frame.ts), so the bytes
  // (2.2 GB in all when a 5M cache opens) are given back at once, not left for the collector.
  const bytes = new Uint8Array(await stored.packed.arrayBuffer())
  try {
    return decodePackedColumns(stored, bytes)
  } finally {
    freeNow(bytes)
  }
}

/** The column chunk of packed columns whose bytes are `bytes` (see {@link readColumns}). */
export function decodePackedColumns(stored: PackedColumns, bytes: Uint8Array): ColumnChunk {
  let columns: ColumnChunk
  try {
    checkFrameSize(stored.frameBytes)
    const layout = readFrameLayout(bytes, stored.frameBytes)
    columns = decodeColumns(layout, (place) => {
      if (place.offset + place.bytes > bytes.byteLength) {
        throw new PackedChunkError(`section ${place.name} runs past the stored columns`)
      }
      return bytes.subarray(place.offset, place.offset + place.bytes)
    })
    if (stored.keep) {
      columns = selectColumns(columns, checkedKeep(stored.keep, columns.count))
    }
    if (columns.count !== stored.count) {
      throw new PackedChunkError(`it holds ${columns.count} rows, not ${stored.count}`)
    }
  } catch (error) {
    if (error instanceof PackedChunkError) {
      throw new PackedChunkError(`chunk ${stored.n} of the cache is damaged: ${error.message}`)
    }
    throw error
  }
  return { ...columns, n: stored.n, firstRow: stored.firstRow }
}

function checkedKeep(keep: Uint32Array, count: number): Uint32Array {
  for (let k = 0; k < keep.length; k++) {
    if (keep[k]! >= count || (k > 0 && keep[k]! <= keep[k - 1]!)) {
      throw new PackedChunkError('its kept rows are not rows of it, in order')
    }
  }
  return keep
}

/** Packed columns keeping only their rows `keep` (indexes over the rows they have now). */
export function keepPackedRows(columns: PackedColumns, keep: readonly number[]): PackedColumns {
  const rows = new Uint32Array(keep.length)
  keep.forEach((k, i) => (rows[i] = columns.keep ? columns.keep[k]! : k))
  return { ...columns, count: keep.length, keep: rows }
}

/** An array of `length` zeros of the same kind (8, 16 or 32-bit) as `like`. */
function emptyLike<T extends Uint8Array | Uint16Array | Uint32Array>(like: T, length: number): T {
  return new (like.constructor as new (length: number) => T)(length)
}

/**
 * The rows `keep` (ascending indexes) of a column chunk: codes and field pairs are copied, the
 * pool and keys are shared (a value no kept row uses costs a few bytes, not a re-encode).
 */
export function selectColumns(
  columns: ColumnChunk,
  keep: readonly number[] | Uint32Array
): ColumnChunk {
  const count = keep.length
  const slots = STORED_TEXT_COLUMNS.length
  const codes = emptyLike(columns.codes, slots * count)
  const times = new Float64Array(count)
  const recordType = new Float64Array(count)
  const userType = new Float64Array(count)
  const flags = new Uint8Array(count)
  const pairStart = new Uint32Array(count + 1)
  let pairs = 0
  for (let k = 0; k < count; k++) {
    pairs += columns.pairStart[keep[k]! + 1]! - columns.pairStart[keep[k]!]!
  }
  const pairKey = emptyLike(columns.pairKey, pairs)
  const pairValue = emptyLike(columns.pairValue, pairs)
  let p = 0
  for (let k = 0; k < count; k++) {
    const i = keep[k]!
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
  }
  pairStart[count] = p
  return {
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
  }
}
