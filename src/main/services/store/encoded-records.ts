import { flattenRecord } from '../../../shared/audit'
import type { NormalizedRecord } from '../../../shared/audit'

/**
 * Records already serialized the way stores keep them: one NormalizedRecord as JSON per line
 * (see {@link storedJson}), UTF-8, in a single byte array. Workers that normalize (imports, syncs) produce this, so the
 * thread that stores records moves bytes instead of re-serializing objects, and the array can
 * be transferred between threads without a copy.
 */
export interface EncodedRecords {
  /** The audit Id of each record, in order. */
  ids: string[]
  /** The records as NDJSON: record `i` is bytes `offsets[i]` to `offsets[i + 1]` (its `\n` included). */
  ndjson: Uint8Array
  /** Where each record's line starts, and the end: `ids.length + 1` entries. */
  offsets: number[]
}

/** No records. */
export function emptyEncoded(): EncodedRecords {
  return { ids: [], ndjson: new Uint8Array(0), offsets: [0] }
}

/** Serializes records' JSON texts into one NDJSON byte array (its own buffer: transferable). */
export function encodeJsonLines(ids: string[], jsons: string[]): EncodedRecords {
  const offsets = new Array<number>(jsons.length + 1)
  let size = 0
  for (let i = 0; i < jsons.length; i++) {
    offsets[i] = size
    size += Buffer.byteLength(jsons[i] ?? '') + 1
  }
  offsets[jsons.length] = size
  const ndjson = new Uint8Array(new ArrayBuffer(size))
  const view = Buffer.from(ndjson.buffer, 0, size)
  for (let i = 0; i < jsons.length; i++) {
    const at = offsets[i] ?? 0
    const written = view.write(jsons[i] ?? '', at)
    view[at + written] = 10
  }
  return { ids, ndjson, offsets }
}

/**
 * Builds {@link EncodedRecords} one record at a time, writing each line straight into a byte
 * array instead of holding every line as a string and encoding them all at the end. The lines
 * go into a scratch array the thread reuses batch after batch; {@link finish} copies them into
 * an array of their exact size with its own buffer (transferable). A fresh array per batch cost
 * more than that copy: zeroing it, faulting its pages in, and growing it when a guess was short.
 */
export class EncodedRecordsWriter {
  private buf: Buffer
  private size = 0
  private readonly ids: string[] = []
  private readonly offsets: number[] = [0]

  constructor() {
    this.buf = takeScratch()
  }

  /** Appends a record's stored JSON (see {@link storedJson}) as one line. */
  addJson(id: string, json: string): void {
    this.reserve(json.length * 3 + 1)
    this.size += this.buf.write(json, this.size)
    this.endLine(id)
  }

  /**
   * Appends `record`'s stored JSON as one line, with its raw text given as the bytes of a JSON
   * string's inside (already escaped: csv-row-cells.ts) rather than escaped again here. The line
   * is the one {@link storedJson} writes, the raw text spliced in where it stands.
   */
  addWithEscapedRaw(record: NormalizedRecord, escapedRaw: Uint8Array, rawLength: number): void {
    const json = storedJsonWithoutRaw(record)
    const slot = json.indexOf(RAW_SLOT)
    if (slot < 0) {
      this.addJson(record.id, storedJson(record))
      return
    }
    const at = slot + RAW_SLOT.length - 1
    this.reserve(json.length * 3 + rawLength + 1)
    this.size += this.buf.write(json.slice(0, at), this.size)
    this.buf.set(escapedRaw.subarray(0, rawLength), this.size)
    this.size += rawLength
    this.size += this.buf.write(json.slice(at), this.size)
    this.endLine(record.id)
  }

  /** The records written, in order; the writer is not used after this. */
  finish(): EncodedRecords {
    const ndjson = Buffer.allocUnsafeSlow(this.size)
    this.buf.copy(ndjson, 0, 0, this.size)
    giveBackScratch(this.buf)
    return { ids: this.ids, ndjson, offsets: this.offsets }
  }

  private endLine(id: string): void {
    this.buf[this.size++] = 10
    this.ids.push(id)
    this.offsets.push(this.size)
  }

  private reserve(bytes: number): void {
    const needed = this.size + bytes
    if (needed <= this.buf.length) {
      return
    }
    let capacity = this.buf.length * 2
    while (capacity < needed) {
      capacity *= 2
    }
    const next = Buffer.allocUnsafeSlow(capacity)
    this.buf.copy(next, 0, 0, this.size)
    this.buf = next
  }
}

/** The thread's scratch array for {@link EncodedRecordsWriter} (null while a writer holds it). */
let scratch: Buffer | null = null
const SCRATCH_BYTES = 4 * 1024 * 1024
/** A scratch array grown past this by a batch of huge records is not kept for the next. */
const MAX_KEPT_SCRATCH_BYTES = 64 * 1024 * 1024

function takeScratch(): Buffer {
  const taken = scratch ?? Buffer.allocUnsafeSlow(SCRATCH_BYTES)
  scratch = null
  return taken
}

function giveBackScratch(buf: Buffer): void {
  if (buf.length <= MAX_KEPT_SCRATCH_BYTES) {
    scratch = buf
  }
}

/**
 * Where the raw text goes in {@link storedJsonWithoutRaw}'s line: the first `"raw":""`. Every
 * `"` inside a JSON string is escaped, so these characters only occur as the record's own `raw`
 * key with its value, and no key before `raw` holds an object that could have one.
 */
const RAW_SLOT = '"raw":""'

/** {@link storedJson} with `raw` as an empty string (for {@link EncodedRecordsWriter}). */
function storedJsonWithoutRaw(record: NormalizedRecord): string {
  const slot = record as { raw: string }
  const raw = slot.raw
  slot.raw = ''
  try {
    return storedJson(record)
  } finally {
    slot.raw = raw
  }
}

/**
 * The JSON a store keeps for a record: every column, the raw text and the provenance, but not
 * the flattened `fields`, which are a function of `raw` (reference/audit-events.md §13 rules
 * 6–7) and would double the bytes written; {@link restoreRecord} rebuilds them when read.
 */
export function storedJson(record: NormalizedRecord): string {
  // Blanked for the call rather than copied without it: JSON.stringify skips an undefined
  // property, and a copy of every record cost more than the stringify itself.
  const slot = record as { fields: NormalizedRecord['fields'] | undefined }
  const fields = slot.fields
  slot.fields = undefined
  try {
    return JSON.stringify(record)
  } finally {
    slot.fields = fields
  }
}

/**
 * A record read back from a store line: the flattened fields are rebuilt from `raw` when the
 * line does not carry them (lines written before they were left out still do). They are
 * rebuilt on first use, so a reader that never looks at them (a report, a snapshot) pays nothing.
 */
export function restoreRecord(stored: NormalizedRecord): NormalizedRecord {
  if ((stored.fields as NormalizedRecord['fields'] | undefined) !== undefined) {
    return stored
  }
  let fields: NormalizedRecord['fields'] | undefined
  Object.defineProperty(stored, 'fields', {
    enumerable: true,
    configurable: true,
    get: (): NormalizedRecord['fields'] => {
      fields ??= flattenRaw(stored.raw)
      return fields
    },
    set: (value: NormalizedRecord['fields']): void => {
      fields = value
    }
  })
  return stored
}

function flattenRaw(raw: string): NormalizedRecord['fields'] {
  const value: unknown = JSON.parse(raw)
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? flattenRecord(value as Record<string, unknown>)
    : {}
}

/** Serializes normalized records (see {@link encodeJsonLines}). */
export function encodeRecords(records: readonly NormalizedRecord[]): EncodedRecords {
  return encodeJsonLines(
    records.map((r) => r.id),
    records.map(storedJson)
  )
}

/** The records whose index passes `keep`, in order (the same object when all pass). */
export function pickEncoded(
  records: EncodedRecords,
  keep: (index: number) => boolean
): EncodedRecords {
  const ids: string[] = []
  const offsets: number[] = [0]
  // Runs of kept records, copied whole: a batch usually drops a few repeats, not most lines.
  const runs: number[] = []
  let size = 0
  let runStart = -1
  for (let i = 0; i < records.ids.length; i++) {
    const start = records.offsets[i] ?? 0
    if (!keep(i)) {
      if (runStart >= 0) {
        runs.push(runStart, start)
        runStart = -1
      }
      continue
    }
    const end = records.offsets[i + 1] ?? start
    if (runStart < 0) {
      runStart = start
    }
    ids.push(records.ids[i] ?? '')
    size += end - start
    offsets.push(size)
  }
  if (ids.length === records.ids.length) {
    return records
  }
  if (runStart >= 0) {
    runs.push(runStart, records.offsets[records.ids.length] ?? runStart)
  }
  const ndjson = Buffer.allocUnsafeSlow(size)
  let at = 0
  for (let r = 0; r < runs.length; r += 2) {
    const part = records.ndjson.subarray(runs[r], runs[r + 1])
    ndjson.set(part, at)
    at += part.byteLength
  }
  return { ids, ndjson, offsets }
}

/** The records as objects (parses each line). */
export function decodeRecords(records: EncodedRecords): NormalizedRecord[] {
  const text = Buffer.from(
    records.ndjson.buffer,
    records.ndjson.byteOffset,
    records.ndjson.byteLength
  )
  const out: NormalizedRecord[] = []
  for (let i = 0; i < records.ids.length; i++) {
    const start = records.offsets[i] ?? 0
    const end = (records.offsets[i + 1] ?? start) - 1
    out.push(restoreRecord(JSON.parse(text.toString('utf8', start, end)) as NormalizedRecord))
  }
  return out
}
