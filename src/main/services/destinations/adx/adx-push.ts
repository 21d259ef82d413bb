/**
 * `cax push adx`: sends the records of a store (or snapshot) to an Azure Data Explorer table in
 * parts of gzip-compressed NDJSON (multijson) with the generated JSON mapping, resumable from a
 * {@link PushJournal} and verified part by part with a count query.
 *
 * Parts are cut deterministically from the records in store order (at most `maxPartBytes` of
 * uncompressed NDJSON — 4 MB is streaming ingestion's per-request cap — and `maxPartRecords`),
 * and each part's id is a hash of its record Ids, so a rerun cuts the same parts with the same
 * ids. Every row carries its part id in `IngestPart`.
 *
 * Two ways in (`mode`):
 * - `streaming` (default): `POST /v1/rest/ingest/…` with a gzip body; one request is one
 *   transaction. Streaming ingestion takes no extent tags, so exactly-once comes from counting:
 *   every part not journaled `verified` is counted (`IngestPart == id`) before it is sent —
 *   all there: verified, not sent; none: sent; anything else: reported, never sent twice — and
 *   journaled as a planned `part` (flushed) before it goes out, so a resume knows to count it
 *   twice.
 * - `inline`: `.ingest inline into table … with (tags='["ingest-by:<id>"]',
 *   ingestIfNotExists='["<id>"]')`: the cluster itself skips a part it already has, even
 *   without the journal (uncompressed; the docs reserve it for small volumes and tests).
 * Either way a part is verified by counting its rows; 429 waits the Retry-After (client).
 */
import { gzipSync } from 'node:zlib'

import {
  adxCreateMappingCommand,
  adxCreateTableCommand,
  adxMappingName,
  adxRowOf
} from '../../../../shared/adx/adx-table'
import type { NormalizedRecord } from '../../../../shared/audit'
import { AdxError } from '../../sources/adx/adx-client'
import type { AdxClient } from '../../sources/adx/adx-client'
import { defaultSleep } from '../../sources/kql/kql-http'
import { idsDigest, type PushJournal } from '../push-journal'

/** Streaming ingestion's documented cap of data per request. */
export const ADX_STREAMING_MAX_BYTES = 4 * 1024 * 1024

export interface AdxPushOptions {
  client: AdxClient
  database: string
  table: string
  /** The records to push, in a stable order (the store's). */
  records: () => AsyncIterable<NormalizedRecord>
  /** How many records `records` yields, for progress (optional). */
  total?: number
  journal: PushJournal
  mode?: 'streaming' | 'inline'
  /** Uncompressed NDJSON per part (default 3.5 MB: under the 4 MB cap with room to spare). */
  maxPartBytes?: number
  /** Records per part (default 10,000). */
  maxPartRecords?: number
  /** Count queries per part before it is reported unverified (default 5, 2 s apart). */
  verifyAttempts?: number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  onProgress?: (line: string) => void
  /** Called after each part is done (verified or skipped); tests abort the push from here. */
  onPartDone?: (index: number, records: number) => void
  signal?: AbortSignal
}

/** The account of one push. */
export interface AdxPushResult {
  records: number
  parts: number
  /** Parts sent in this run. */
  sent: number
  /** Parts the journal (or a count) showed were already in the table. */
  skipped: number
  /** Records of the parts sent, and of the parts already there. */
  sentRecords: number
  skippedRecords: number
  verified: number
  /** Parts whose count did not match: `{ index, id, expected, found }`. */
  unverified: Array<{ index: number; id: string; expected: number; found: number }>
  bytes: number
  compressedBytes: number
  requests: number
  throttled: number
}

/** The default part size (uncompressed NDJSON). */
export const ADX_DEFAULT_PART_BYTES = 3_500_000
/** The default records per part. */
export const ADX_DEFAULT_PART_RECORDS = 10_000

const PART_ID_LENGTH = 36
/** The wait before a resumed part's count is taken again. */
const RECOUNT_DELAY_MS = 5000

/** Creates the table and mapping (idempotent commands), then pushes every part. */
export async function pushToAdx(options: AdxPushOptions): Promise<AdxPushResult> {
  const { client } = options
  const maxBytes = Math.min(options.maxPartBytes ?? ADX_DEFAULT_PART_BYTES, ADX_STREAMING_MAX_BYTES)
  const maxRecords = options.maxPartRecords ?? ADX_DEFAULT_PART_RECORDS
  const result: AdxPushResult = {
    records: 0,
    parts: 0,
    sent: 0,
    skipped: 0,
    sentRecords: 0,
    skippedRecords: 0,
    verified: 0,
    unverified: [],
    bytes: 0,
    compressedBytes: 0,
    requests: 0,
    throttled: 0
  }
  try {
    await ensureDefinitions(options)
    let index = 0
    let first = 0
    for await (const part of cutParts(options.records(), maxBytes, maxRecords)) {
      options.signal?.throwIfAborted()
      await pushPart(options, { index, first }, part, result)
      first += part.length
      result.parts++
      result.records += part.length
      options.onPartDone?.(index, part.length)
      index++
    }
    // Every part verified: the journal says so (it stays as the record of what was sent).
    await options.journal.markComplete()
  } finally {
    result.requests = client.requests
    result.throttled = client.throttled
  }
  return result
}

/**
 * Creates the table and mapping. A principal without the Admin role may still push into a table
 * an admin created from the printed definitions: on 403 the mapping must already be there.
 */
async function ensureDefinitions(options: AdxPushOptions): Promise<void> {
  const { client, database, table, signal } = options
  try {
    await client.mgmt(database, adxCreateTableCommand(table), signal)
    await client.mgmt(database, adxCreateMappingCommand(table), signal)
  } catch (error) {
    if (!(error instanceof AdxError) || error.status !== 403) {
      throw error
    }
    let names: string[] = []
    try {
      const shown = await client.mgmt(
        database,
        `.show table ${table} ingestion json mappings`,
        signal
      )
      const at = shown.columns.findIndex((c) => c.name === 'Name')
      names = shown.rows.map((r) => String(r[at]))
    } catch {
      // No table, or not even a viewer: the first refusal explains it.
    }
    if (!names.includes(adxMappingName(table))) {
      throw new AdxError(
        403,
        error.code,
        `${error.message}. Creating ${table} and its mapping needs the database Admin role: have an admin run the commands cax push adx --print-definitions prints, then push again.`
      )
    }
    options.onProgress?.(
      `[push] ${table} and its mapping ${adxMappingName(table)} already exist; pushing without creating them`
    )
  }
}

/** The id of a part: `cax-` and 32 hex digits of the SHA-256 of its record Ids. */
export function partIdOf(records: readonly NormalizedRecord[]): string {
  return `cax-${idsDigest(records.map((r) => r.id)).slice(0, PART_ID_LENGTH - 4)}`
}

/** Cuts records into parts by the NDJSON size and count caps. */
async function* cutParts(
  records: AsyncIterable<NormalizedRecord>,
  maxBytes: number,
  maxRecords: number
): AsyncGenerator<NormalizedRecord[]> {
  const placeholder = 'x'.repeat(PART_ID_LENGTH)
  let part: NormalizedRecord[] = []
  let bytes = 0
  for await (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(adxRowOf(record, placeholder))) + 1
    if (size > maxBytes) {
      throw new Error(
        `record ${record.id} alone is ${size} bytes of NDJSON, more than a part may carry (${maxBytes})`
      )
    }
    if (part.length > 0 && (bytes + size > maxBytes || part.length >= maxRecords)) {
      yield part
      part = []
      bytes = 0
    }
    part.push(record)
    bytes += size
  }
  if (part.length > 0) {
    yield part
  }
}

async function pushPart(
  options: AdxPushOptions,
  at: { index: number; first: number },
  records: NormalizedRecord[],
  result: AdxPushResult
): Promise<void> {
  const { client, database, table, journal } = options
  const index = at.index
  const idsSha256 = idsDigest(records.map((r) => r.id))
  const id = `cax-${idsSha256.slice(0, PART_ID_LENGTH - 4)}`
  const previous = journal.partAt(at.first)
  const describe = `part ${index + 1} (${records.length} records, ${id})`
  if (previous && (previous.tag !== id || previous.count !== records.length)) {
    throw new Error(
      `${describe}: the journal has ${previous.tag} for this part; the records changed order since that push — push with a new --journal`
    )
  }
  const iso = (): string => new Date().toISOString()
  // `part` is written (flushed) before the part may go out: a resume knows it may have landed.
  const plan = (bytes: number): Promise<void> =>
    journal.append({
      kind: 'part',
      tag: id,
      first: at.first,
      count: records.length,
      bytes,
      idsSha256,
      at: iso()
    })
  const verified = (): Promise<void> =>
    journal.append({ kind: 'verified', tag: id, count: records.length, at: iso() })
  if (previous?.status === 'verified') {
    result.skipped++
    result.skippedRecords += records.length
    result.verified++
    return
  }
  // Count before sending: a part already in the table (a crash after it landed, a lost or new
  // journal) is not sent again. Rows a cluster has just accepted can take a moment to be
  // queryable, so a zero for a part the journal says may have gone out is counted twice.
  let found = await countPart(client, database, table, id, options.signal)
  if (found === 0 && previous) {
    await (options.sleep ?? defaultSleep)(RECOUNT_DELAY_MS, options.signal)
    found = await countPart(client, database, table, id, options.signal)
  }
  if (found === records.length) {
    if (!previous) {
      await plan(0)
    }
    await verified()
    result.skipped++
    result.skippedRecords += records.length
    result.verified++
    options.onProgress?.(`[push] ${describe} was already in ${table}: not sent again`)
    return
  }
  if (found !== 0) {
    result.unverified.push({ index, id, expected: records.length, found })
    options.onProgress?.(
      `[push] ${describe}: ${found} of its rows are in ${table}, not 0 or ${records.length}; not sent again`
    )
    return
  }
  const ndjson = records.map((r) => JSON.stringify(adxRowOf(r, id))).join('\n') + '\n'
  const bytes = Buffer.byteLength(ndjson)
  await plan(bytes)
  let compressed = 0
  if ((options.mode ?? 'streaming') === 'streaming') {
    const body = gzipSync(ndjson)
    compressed = body.length
    await client.streamIngest(database, table, adxMappingName(table), body, options.signal)
  } else {
    await client.mgmt(
      database,
      `.ingest inline into table ${table} with (format='multijson', ingestionMappingReference='${adxMappingName(table)}', tags='["ingest-by:${id}"]', ingestIfNotExists='["${id}"]') <|\n${ndjson}`,
      options.signal
    )
  }
  await journal.append({ kind: 'sent', tag: id, at: iso() })
  result.sent++
  result.sentRecords += records.length
  result.bytes += bytes
  result.compressedBytes += compressed
  const sleep = options.sleep ?? defaultSleep
  const attempts = options.verifyAttempts ?? 5
  found = 0
  for (let attempt = 1; attempt <= attempts; attempt++) {
    found = await countPart(client, database, table, id, options.signal)
    if (found >= records.length) {
      break
    }
    if (attempt < attempts) {
      // Ingested rows can take a moment to be queryable.
      await sleep(2000, options.signal)
    }
  }
  if (found !== records.length) {
    result.unverified.push({ index, id, expected: records.length, found })
    options.onProgress?.(`[push] ${describe}: counted ${found} rows, expected ${records.length}`)
    return
  }
  await verified()
  result.verified++
  const done = result.records + records.length
  options.onProgress?.(
    `[push] ${describe} verified: ${(bytes / 1e6).toFixed(2)} MB${compressed ? ` (${(compressed / 1e6).toFixed(2)} MB gzip)` : ''}; ${done}${options.total !== undefined ? ` of ${options.total}` : ''} records`
  )
}

async function countPart(
  client: AdxClient,
  database: string,
  table: string,
  id: string,
  signal: AbortSignal | undefined
): Promise<number> {
  const answer = await client.query(
    database,
    `${table} | where IngestPart == '${id}' | count`,
    signal
  )
  const n = Number(answer.table.rows[0]?.[0])
  if (answer.partialError || !Number.isFinite(n)) {
    throw new Error(`the count of ${id} came back unreadable`)
  }
  return n
}
