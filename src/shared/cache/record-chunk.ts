/**
 * The cache's chunked record layout: a batch of records is stored as a few IndexedDB rows per
 * few thousand records instead of one row per record.
 *
 * - a **column chunk** holds what the Explorer's query worker reads, already columnar: the time
 *   column (Float64Array), every text column as codes into the chunk's string pool, the number and
 *   flag columns, and every flattened field as (key code, value code) pairs. The pool is one string
 *   (values separated by U+0000) with a Uint32Array of offsets, so reading a chunk back costs a
 *   handful of typed-array and string copies, not one JavaScript object per record;
 * - a **body chunk** holds the raw record text, byte for byte, and the normalizer's warnings: only
 *   the details pane and lossless exports read it;
 * - an **id chunk** holds the record Ids, for exact de-duplication across the whole cache.
 *
 * Pure: no Dexie, no DOM (runs in main, which packs chunks for the hand-over (packed-chunk.ts),
 * in the window, the worker and under Vitest).
 */
import type { NormalizedRecord } from '../audit'
import { toUtcIso } from '../audit/audit-time'

/** Version of the chunk encoding, stored in every chunk. */
export const CHUNK_FORMAT = 1

/** At most this many records per chunk (bigger batches are split). */
export const CHUNK_MAX_RECORDS = 4096

/**
 * Text columns a column chunk stores, in this order (`item` is derived; `createdAt` is stored as
 * '' when it is the ISO form of the time column, as the normalizer writes it).
 */
export const STORED_TEXT_COLUMNS = [
  'id',
  'createdAt',
  'recordTypeName',
  'operation',
  'workload',
  'userId',
  'userKey',
  'userTypeLabel',
  'clientIp',
  'objectId',
  'organizationId',
  'resultStatus',
  'activity',
  'category',
  'catalogConfidence',
  'environment',
  'environmentName',
  'action',
  'resource',
  'resourceName',
  'connector',
  'permissionType',
  'targetUserId',
  'dlpSubOperation',
  'actorRole',
  'userAgent',
  'item'
] as const

export type StoredTextColumn = (typeof STORED_TEXT_COLUMNS)[number]

/** Position of each stored text column in a chunk's `codes`. */
export const COLUMN_SLOT: Readonly<Record<StoredTextColumn, number>> = Object.fromEntries(
  STORED_TEXT_COLUMNS.map((column, i) => [column, i])
) as Record<StoredTextColumn, number>

/** The separator after every value of a pool. */
export const POOL_SEPARATOR = '\u0000'

/** What the query worker reads of a chunk of records. */
export interface ColumnChunk {
  /** Chunk number: 0, 1, 2… in the order chunks were committed. */
  n: number
  /** Row number (0-based, over the whole cache) of the chunk's first record. */
  firstRow: number
  count: number
  format: number
  /** Event times, UTC epoch ms. */
  times: Float64Array
  /**
   * Every distinct string of the chunk made only of one-byte characters (see
   * {@link isNarrowValue}), each followed by U+0000: a one-byte string in V8, so it costs half
   * the memory, copy and storage of a string holding one wider character.
   */
  pool: string
  /**
   * The chunk's other distinct strings (holding a character above U+00FF or a C1 control), each
   * followed by U+0000, after the pool's: value `code` is in `pool` when `poolStarts[code] <
   * pool.length`, else in `widePool` at `poolStarts[code] - pool.length`. Absent when there are
   * none (and in chunks written before the split, whose `pool` holds every value).
   */
  widePool?: string
  /** Start offset of every value in `pool` then `widePool` end to end, plus their length. */
  poolStarts: Uint32Array
  /** Pool codes, column-major: `codes[slot * count + i]` is record i's value of column `slot`. */
  codes: Uint16Array | Uint32Array
  /** RecordType number, NaN for null. */
  recordType: Float64Array
  /** UserType number, NaN for null. */
  userType: Float64Array
  /** Bits 0–1: succeeded (0 null, 1 false, 2 true); bit 2: isConnectorEvent. */
  flags: Uint8Array
  /** The chunk's flattened field keys (pair key codes point here). */
  keys: string[]
  /** Record i's field pairs are `[pairStart[i], pairStart[i + 1])`. */
  pairStart: Uint32Array
  /** Key codes of the field pairs: one byte each while a chunk has at most 256 keys. */
  pairKey: Uint8Array | Uint16Array | Uint32Array
  /** Pool codes of the field values. */
  pairValue: Uint16Array | Uint32Array
}

/** Where a record came from (file, line, SHA-256), or null. */
export type RecordProvenance = NormalizedRecord['provenance'] | null

/**
 * The raw text, provenance and warnings of a chunk of records, in one of four layouts (read any
 * with {@link bodyRaw} and {@link bodyProvenance}, a blob body once {@link resolveBody} read it):
 *
 * - **bytes** (written since the window stores packed chunks as they come): the raw texts as ONE
 *   byte array, UTF-8 as main encoded them (UTF-16 code units when a text holds a lone
 *   surrogate), with byte offsets, and the provenance as one UTF-8 JSON array. The window copies
 *   these sections out of the packed chunk without decoding them; a record's text is decoded
 *   when it is read (details pane, exports), and IndexedDB stores bytes, not strings;
 * - **blob** (what the browser shell's page stores: it receives packed chunks as Blobs,
 *   stored-chunk.ts `chunkToStore`): the bytes layout with the raw texts as a Blob instead of
 *   a byte array, so they go from the network to IndexedDB without passing through the page;
 * - **text**: the raw texts as one string with UTF-16 offsets and the provenance as one JSON text;
 * - **per record** (the first chunked release): one string and one object per record.
 */
export interface BodyChunk {
  n: number
  /** Bytes layout: every raw text one after another (UTF-8, or UTF-16LE with `isRawUtf16`). */
  rawBytes?: Uint8Array
  /** Blob layout: every raw text one after another, as `rawBytes` would hold them. */
  rawBlob?: Blob
  /**
   * Bytes and blob layouts: record i's raw text is bytes `[rawByteStarts[i], rawByteStarts[i + 1])`,
   * or `[rawByteStarts[i], rawByteEnds[i])` when there are ends.
   */
  rawByteStarts?: Uint32Array
  /**
   * Blob layout, when rows were dropped from it (`selectRows`): where each record's raw text ends.
   * The Blob then also holds the dropped rows' texts, which no record points at.
   */
  rawByteEnds?: Uint32Array
  /** Bytes layout: `rawBytes` are UTF-16LE code units (a text held a lone surrogate). */
  isRawUtf16?: boolean
  /** Bytes layout: the provenance of every record, as a UTF-8 JSON array. */
  provenanceBytes?: Uint8Array
  /** Blob layout: `provenanceBytes` as a Blob (a slice of the packed chunk), until resolved. */
  provenanceBlob?: Blob
  /**
   * Blob and bytes layouts, when rows were dropped (`selectRows`): record i's provenance is
   * element `provenanceRows[i]` of the provenance array, which also holds the dropped rows'.
   */
  provenanceRows?: Uint32Array
  /** Text layout: every raw text, one after another: record i is `text.slice(starts[i], starts[i + 1])`. */
  text?: string
  starts?: Uint32Array
  /** Text layout: the provenance of every record, as a JSON array (parsed on first use). */
  provenanceJson?: string
  /** Per-record layout: the raw text of each record. */
  raw?: string[]
  /** Per-record layout: the provenance of each record. */
  provenance?: RecordProvenance[]
  /** Warnings by record index within the chunk (records without warnings are absent). */
  warnings: Record<number, string[]>
}

const utf8 = new TextDecoder('utf-8')
const utf16 = new TextDecoder('utf-16le')

/**
 * A body the synchronous readers can read: a blob body with its raw texts read into bytes (the
 * bytes layout); any other body as it is.
 */
export async function resolveBody(body: BodyChunk): Promise<BodyChunk> {
  const rawBlob = body.rawBytes ? undefined : body.rawBlob
  const provenanceBlob = body.provenanceBytes ? undefined : body.provenanceBlob
  if (!rawBlob && !provenanceBlob) {
    return body
  }
  const [rawBytes, provenanceBytes] = await Promise.all([
    rawBlob?.arrayBuffer(),
    provenanceBlob?.arrayBuffer()
  ])
  const resolved: BodyChunk = { ...body }
  delete resolved.rawBlob
  delete resolved.provenanceBlob
  if (rawBytes) {
    resolved.rawBytes = new Uint8Array(rawBytes)
  }
  if (provenanceBytes) {
    resolved.provenanceBytes = new Uint8Array(provenanceBytes)
  }
  return resolved
}

/** Thrown when a blob body is read before {@link resolveBody} read its raw texts. */
export class UnresolvedBodyError extends Error {
  override name = 'UnresolvedBodyError'
  constructor() {
    super('a body chunk whose raw texts or provenance are a Blob was read before resolveBody()')
  }
}

/** The raw text of record `i` of a body chunk (any layout but an unresolved blob). */
export function bodyRaw(body: BodyChunk, i: number): string {
  if (body.rawBlob && !body.rawBytes) {
    throw new UnresolvedBodyError()
  }
  if (body.rawBytes && body.rawByteStarts) {
    const start = body.rawByteStarts[i]
    const end = body.rawByteEnds ? body.rawByteEnds[i] : body.rawByteStarts[i + 1]
    if (start === undefined || end === undefined) {
      return ''
    }
    const bytes = body.rawBytes.subarray(start, end)
    return body.isRawUtf16 === true ? utf16Text(bytes) : utf8.decode(bytes)
  }
  if (body.text !== undefined && body.starts) {
    const start = body.starts[i]
    const end = body.starts[i + 1]
    return start === undefined || end === undefined ? '' : body.text.slice(start, end)
  }
  return body.raw?.[i] ?? ''
}

/** UTF-16LE code units as a string, lone surrogates kept (a decoder would replace them). */
function utf16Text(bytes: Uint8Array): string {
  if (bytes.byteLength % 2 !== 0) {
    return utf16.decode(bytes)
  }
  const units = new Uint16Array(bytes.slice().buffer)
  let text = ''
  for (let i = 0; i < units.length; i += 8192) {
    text += String.fromCharCode(...units.subarray(i, i + 8192))
  }
  return text
}

const parsedProvenance = new WeakMap<BodyChunk, RecordProvenance[]>()

/** Every record's provenance of a body chunk (any layout; unreadable JSON reads as none). */
export function bodyProvenances(body: BodyChunk): RecordProvenance[] {
  if (body.provenanceBlob && !body.provenanceBytes) {
    throw new UnresolvedBodyError()
  }
  if (body.provenanceBytes === undefined && body.provenanceJson === undefined) {
    return body.provenance ?? []
  }
  let parsed = parsedProvenance.get(body)
  if (!parsed) {
    try {
      const json = body.provenanceBytes
        ? utf8.decode(body.provenanceBytes)
        : (body.provenanceJson ?? '')
      const value: unknown = JSON.parse(json)
      const all = Array.isArray(value) ? (value as RecordProvenance[]) : []
      const rows = body.provenanceRows
      parsed = rows ? Array.from(rows, (row) => all[row] ?? null) : all
    } catch {
      parsed = []
    }
    parsedProvenance.set(body, parsed)
  }
  return parsed
}

/** The provenance of record `i` of a body chunk, or null. */
export function bodyProvenance(body: BodyChunk, i: number): RecordProvenance {
  return bodyProvenances(body)[i] ?? null
}

/** Builds a body chunk (the current layout) from each record's raw text and provenance. */
export function makeBody(
  raw: readonly string[],
  provenance: readonly RecordProvenance[],
  warnings: Record<number, string[]>
): BodyChunk {
  const starts = new Uint32Array(raw.length + 1)
  let at = 0
  raw.forEach((text, i) => {
    starts[i] = at
    at += text.length
  })
  starts[raw.length] = at
  return {
    n: 0,
    text: raw.join(''),
    starts,
    provenanceJson: JSON.stringify(provenance),
    warnings
  }
}

/** The record Ids of a chunk, in row order. */
export interface IdChunk {
  n: number
  firstRow: number
  ids: string[]
}

/** One encoded chunk, ready to store (its `n` and `firstRow` are set when committed). */
export interface EncodedChunk {
  columns: ColumnChunk
  body: BodyChunk
  ids: IdChunk
}

/** Provisional pool codes as stored (`PoolBuilder.finalCode`). */
function poolCodeArray(values: ArrayLike<number>, pool: PoolBuilder): Uint16Array | Uint32Array {
  const out = pool.size < 0x10000 ? new Uint16Array(values.length) : new Uint32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    out[i] = pool.finalCode(values[i]!)
  }
  return out
}

/** Codes below `max`, in the narrowest array that holds them. */
function codeArray(
  values: number[] | Uint32Array,
  max: number
): Uint8Array | Uint16Array | Uint32Array {
  return max <= 0x100
    ? Uint8Array.from(values)
    : max <= 0x10000
      ? Uint16Array.from(values)
      : Uint32Array.from(values)
}

function textValue(record: NormalizedRecord, column: StoredTextColumn): string {
  switch (column) {
    case 'item':
      return record.resource !== '' ? record.resource : record.objectId
    case 'createdAt':
      // Nearly always the ISO form of the time: stored once, as the time column.
      return isoTime(record.createdAtMs) === record.createdAt ? '' : record.createdAt
    default: {
      const value = record[column]
      return typeof value === 'string' ? value : String(value ?? '')
    }
  }
}

/** A pool as chunks store it: the values end to end, each followed by the separator. */
export function poolOf(values: readonly string[]): { text: string; starts: Uint32Array } {
  const starts = new Uint32Array(values.length + 1)
  let offset = 0
  values.forEach((value, i) => {
    starts[i] = offset
    offset += value.length + 1
  })
  starts[values.length] = offset
  return { text: values.length === 0 ? '' : values.join(POOL_SEPARATOR) + POOL_SEPARATOR, starts }
}

// eslint-disable-next-line no-control-regex
const WIDE_CHAR = /[^\u0000-\u007f\u00a0-\u00ff]/

/**
 * Whether a value belongs to a chunk's one-byte `pool`: every character is ASCII or Latin-1 above
 * the C1 controls, so V8 stores it a byte a character and it travels as one byte a character
 * (packed-chunk.ts reads those bytes as windows-1252, which is Latin-1 outside 0x80–0x9F).
 */
export function isNarrowValue(value: string): boolean {
  return !WIDE_CHAR.test(value)
}

/**
 * Whether a character code (or a byte of a one-byte pool) is outside what {@link isNarrowValue}
 * admits: above U+00FF, or a C1 control (0x80–0x9F). The same rule as its regular expression,
 * for loops that already read the text a code at a time.
 */
export function isWideCode(code: number): boolean {
  return code > 0xff || (code >= 0x80 && code < 0xa0)
}

/**
 * Interns a chunk's values into its two pools (see {@link ColumnChunk.widePool}): `code` gives a
 * provisional code (narrow values 0, 1, 2…, wide ones -1, -2…); {@link finalCode} places the wide
 * values after the narrow ones, as `finish` lays the pools out.
 *
 * A value may name a group (where it was first used: a column, a field key): `finish` then lays
 * each pool out group by group, in order of first sight within a group. Values of one kind side
 * by side (record Ids, JSON texts, URLs…) let the quick search's trigram filter (pool-trigrams.ts)
 * rule out whole blocks of another kind: a search for `powerapps/3.24` need not read the blocks
 * of Ids.
 */
export class PoolBuilder {
  private readonly codes = new Map<string, number>()
  readonly narrow: string[] = []
  readonly wide: string[] = []
  private readonly narrowGroups: number[] = []
  private readonly wideGroups: number[] = []
  /** Provisional narrow code → place in the laid-out pool (null: in order of first sight). */
  private narrowPlace: Uint32Array | null = null
  private widePlace: Uint32Array | null = null

  /** The provisional code of a value, interning it on first sight (in `group`, 0 or more). */
  code(value: string, group = 0): number {
    let c = this.codes.get(value)
    if (c === undefined) {
      if (WIDE_CHAR.test(value)) {
        this.wide.push(value)
        this.wideGroups.push(group)
        c = -this.wide.length
      } else {
        c = this.narrow.length
        this.narrow.push(value)
        this.narrowGroups.push(group)
      }
      this.codes.set(value, c)
    }
    return c
  }

  get size(): number {
    return this.narrow.length + this.wide.length
  }

  /** The stored code of a provisional one (once {@link finish} has laid the pools out). */
  finalCode(c: number): number {
    if (c >= 0) {
      return this.narrowPlace ? this.narrowPlace[c]! : c
    }
    return this.narrow.length + (this.widePlace ? this.widePlace[-1 - c]! : -1 - c)
  }

  /** The pools: the narrow values' text, the wide values' text, and every value's start. */
  finish(): { pool: string; widePool: string; starts: Uint32Array } {
    this.narrowPlace = groupPlaces(this.narrow, this.narrowGroups)
    this.widePlace = groupPlaces(this.wide, this.wideGroups)
    const { text: pool, starts: narrowStarts } = poolOf(this.narrow)
    const { text: widePool, starts: wideStarts } = poolOf(this.wide)
    const starts = new Uint32Array(this.size + 1)
    starts.set(narrowStarts.subarray(0, this.narrow.length))
    for (let j = 0; j <= this.wide.length; j++) {
      starts[this.narrow.length + j] = pool.length + wideStarts[j]!
    }
    return { pool, widePool, starts }
  }
}

/**
 * Orders `values` group by group (stable within a group) in place and returns each value's new
 * place by its old one; null when every value is in one group (nothing moves).
 */
function groupPlaces(values: string[], groups: readonly number[]): Uint32Array | null {
  let top = 0
  for (const group of groups) {
    top = Math.max(top, group)
  }
  if (top === 0) {
    return null
  }
  // A counting sort by group.
  const next = new Uint32Array(top + 2)
  for (const group of groups) {
    next[group + 1]!++
  }
  for (let g = 1; g < next.length; g++) {
    next[g]! += next[g - 1]!
  }
  const places = new Uint32Array(values.length)
  const moved = new Array<string>(values.length)
  groups.forEach((group, i) => {
    const place = next[group]!++
    places[i] = place
    moved[place] = values[i]!
  })
  moved.forEach((value, place) => (values[place] = value))
  return places
}

/**
 * Distinct values as a chunk stores them (the narrow ones, then the wide ones, each part in the
 * order given); `order[i]` is value i's code.
 */
export function splitPool(values: readonly string[]): {
  pool: string
  widePool: string
  starts: Uint32Array
  order: Uint32Array
} {
  const builder = new PoolBuilder()
  const order = Uint32Array.from(values, (value) => builder.code(value))
  order.forEach((c, i) => (order[i] = builder.finalCode(c | 0)))
  return { ...builder.finish(), order }
}

/**
 * The text of one value of a split pool: `[from, to)` of `pool` and `widePool` end to end (a
 * value never straddles them).
 */
export function poolSlice(pool: string, widePool: string, from: number, to: number): string {
  const split = pool.length
  return from < split ? pool.slice(from, to) : widePool.slice(from - split, to - split)
}

/** Encodes records (at most {@link CHUNK_MAX_RECORDS}) as one chunk. */
export function encodeChunk(records: readonly NormalizedRecord[]): EncodedChunk {
  const count = records.length
  const pool = new PoolBuilder()
  const columnCount = STORED_TEXT_COLUMNS.length
  const codes = new Int32Array(columnCount * count)
  const times = new Float64Array(count)
  const recordType = new Float64Array(count)
  const userType = new Float64Array(count)
  const flags = new Uint8Array(count)
  const keyCodes = new Map<string, number>()
  const keys: string[] = []
  const pairStart = new Uint32Array(count + 1)
  const pairKey: number[] = []
  const pairValue: number[] = []
  const raw: string[] = new Array<string>(count)
  const provenance: RecordProvenance[] = new Array<RecordProvenance>(count)
  const warnings: Record<number, string[]> = {}
  const ids: string[] = new Array<string>(count)
  for (let i = 0; i < count; i++) {
    const record = records[i]!
    times[i] = record.createdAtMs
    for (let slot = 0; slot < columnCount; slot++) {
      const value = textValue(record, STORED_TEXT_COLUMNS[slot]!)
      // The pool is laid out by where each value was first used: its column, or its field key.
      codes[slot * count + i] = pool.code(value, slot)
    }
    recordType[i] = record.recordType ?? NaN
    userType[i] = record.userType ?? NaN
    flags[i] =
      (record.succeeded === null ? 0 : record.succeeded ? 2 : 1) | (record.isConnectorEvent ? 4 : 0)
    pairStart[i] = pairKey.length
    for (const key in record.fields) {
      let k = keyCodes.get(key)
      if (k === undefined) {
        k = keys.length
        keys.push(key)
        keyCodes.set(key, k)
      }
      pairKey.push(k)
      const value = record.fields[key]!
      pairValue.push(pool.code(value, columnCount + k))
    }
    raw[i] = record.raw
    provenance[i] = record.provenance
    if (record.warnings.length > 0) {
      warnings[i] = [...record.warnings]
    }
    ids[i] = record.id
  }
  pairStart[count] = pairKey.length
  const { pool: narrowText, widePool, starts: poolStarts } = pool.finish()
  return {
    columns: {
      n: 0,
      firstRow: 0,
      count,
      format: CHUNK_FORMAT,
      times,
      pool: narrowText,
      ...(widePool === '' ? {} : { widePool }),
      poolStarts,
      codes: poolCodeArray(codes, pool),
      recordType,
      userType,
      flags,
      keys,
      pairStart,
      pairKey: codeArray(pairKey, keys.length),
      pairValue: poolCodeArray(pairValue, pool)
    },
    body: makeBody(raw, provenance, warnings),
    ids: { n: 0, firstRow: 0, ids }
  }
}

/** Encodes any number of records as consecutive chunks. */
export function encodeChunks(records: readonly NormalizedRecord[]): EncodedChunk[] {
  const chunks: EncodedChunk[] = []
  for (let i = 0; i < records.length; i += CHUNK_MAX_RECORDS) {
    chunks.push(encodeChunk(records.slice(i, i + CHUNK_MAX_RECORDS)))
  }
  return chunks
}

/** Pool value `code` of a chunk. */
export function poolValue(
  chunk: Pick<ColumnChunk, 'pool' | 'widePool' | 'poolStarts'>,
  code: number
): string {
  return poolSlice(
    chunk.pool,
    chunk.widePool ?? '',
    chunk.poolStarts[code]!,
    chunk.poolStarts[code + 1]! - 1
  )
}

/** The text of column `column` for record `i` of a chunk. */
export function chunkText(chunk: ColumnChunk, column: StoredTextColumn, i: number): string {
  return poolValue(chunk, chunk.codes[COLUMN_SLOT[column] * chunk.count + i]!)
}

function nullableNumber(value: number): number | null {
  return Number.isNaN(value) ? null : value
}

/** A record's columns, without its raw text, provenance and warnings (the body chunk's). */
export type RecordColumns = Omit<NormalizedRecord, 'raw' | 'warnings' | 'provenance'>

/** The latest time a Date holds (ECMAScript's time value range), epoch ms. */
const MAX_TIME_MS = 8.64e15

function isoTime(ms: number): string {
  // toUtcIso writes the common time out by hand: Date#toISOString cost an import ~1 µs a record.
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? toUtcIso(ms) : ''
}

/** Builds a record's columns from its stored text columns, numbers, flags and fields. */
export function assembleRecord(
  text: (column: StoredTextColumn) => string,
  createdAtMs: number,
  recordType: number,
  userType: number,
  flags: number,
  fields: Record<string, string>
): RecordColumns {
  const succeeded = flags & 3
  const createdAt = text('createdAt')
  return {
    id: text('id'),
    createdAt: createdAt === '' ? isoTime(createdAtMs) : createdAt,
    createdAtMs,
    recordType: nullableNumber(recordType),
    recordTypeName: text('recordTypeName'),
    operation: text('operation'),
    workload: text('workload'),
    userId: text('userId'),
    userKey: text('userKey'),
    userType: nullableNumber(userType),
    userTypeLabel: text('userTypeLabel'),
    clientIp: text('clientIp'),
    objectId: text('objectId'),
    organizationId: text('organizationId'),
    resultStatus: text('resultStatus'),
    succeeded: succeeded === 0 ? null : succeeded === 2,
    activity: text('activity'),
    category: text('category') as NormalizedRecord['category'],
    catalogConfidence: text('catalogConfidence') as NormalizedRecord['catalogConfidence'],
    isConnectorEvent: (flags & 4) !== 0,
    environment: text('environment'),
    environmentName: text('environmentName'),
    action: text('action'),
    resource: text('resource'),
    resourceName: text('resourceName'),
    connector: text('connector'),
    permissionType: text('permissionType'),
    targetUserId: text('targetUserId'),
    dlpSubOperation: text('dlpSubOperation'),
    actorRole: text('actorRole'),
    userAgent: text('userAgent'),
    fields
  }
}

/** Record `i` of a chunk, as it was committed (`raw` and `warnings` from the body chunk). */
export function decodeRecord(
  chunk: ColumnChunk,
  body: BodyChunk | null,
  i: number
): NormalizedRecord {
  const fields: Record<string, string> = {}
  for (let p = chunk.pairStart[i]!; p < chunk.pairStart[i + 1]!; p++) {
    fields[chunk.keys[chunk.pairKey[p]!]!] = poolValue(chunk, chunk.pairValue[p]!)
  }
  const columns = assembleRecord(
    (column) => chunkText(chunk, column, i),
    chunk.times[i]!,
    chunk.recordType[i]!,
    chunk.userType[i]!,
    chunk.flags[i]!,
    fields
  )
  return {
    ...columns,
    warnings: body ? [...(body.warnings[i] ?? [])] : [],
    raw: body ? bodyRaw(body, i) : '',
    provenance: body ? bodyProvenance(body, i) : null
  }
}

/** Every record of a chunk, in row order. */
export function decodeChunk(chunk: ColumnChunk, body: BodyChunk): NormalizedRecord[] {
  return Array.from({ length: chunk.count }, (_, i) => decodeRecord(chunk, body, i))
}
