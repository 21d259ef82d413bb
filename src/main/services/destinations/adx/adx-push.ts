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
 *   transaction. Streaming ingestion takes no extent tags, so exactly-once comes from the
 *   journal: a part is journaled `sending` (flushed) before it goes out, and a part found
 *   `sending`/`sent` on resume is counted (`IngestPart == id`) before it is sent again —
 *   all there: verified; none: sent; anything else: reported, never sent twice.
 * - `inline`: `.ingest inline into table … with (tags='["ingest-by:<id>"]',
 *   ingestIfNotExists='["<id>"]')`: the cluster itself skips a part it already has, even
 *   without the journal (uncompressed; the docs reserve it for small volumes and tests).
 * Either way a part is verified by counting its rows; 429 waits the Retry-After (client).
 */
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'

import {
  adxCreateMappingCommand,
  adxCreateTableCommand,
  adxMappingName,
  adxRowOf
} from '../../../../shared/adx/adx-table'
import type { NormalizedRecord } from '../../../../shared/audit'
import type { AdxClient } from '../../sources/adx/adx-client'
import { defaultSleep } from '../../sources/kql/kql-http'
import type { PushJournal } from '../push-journal'

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
  onPartDone?: (index: number) => void
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

/** Creates the table and mapping (idempotent commands), then pushes every part. */
export async function pushToAdx(options: AdxPushOptions): Promise<AdxPushResult> {
  const { client, database, table } = options
  const maxBytes = Math.min(options.maxPartBytes ?? ADX_DEFAULT_PART_BYTES, ADX_STREAMING_MAX_BYTES)
  const maxRecords = options.maxPartRecords ?? ADX_DEFAULT_PART_RECORDS
  const result: AdxPushResult = {
    records: 0,
    parts: 0,
    sent: 0,
    skipped: 0,
    verified: 0,
    unverified: [],
    bytes: 0,
    compressedBytes: 0,
    requests: 0,
    throttled: 0
  }
  try {
    await client.mgmt(database, adxCreateTableCommand(table), options.signal)
    await client.mgmt(database, adxCreateMappingCommand(table), options.signal)
    let index = 0
    for await (const part of cutParts(options.records(), maxBytes, maxRecords)) {
      options.signal?.throwIfAborted()
      await pushPart(options, index, part, result)
      result.parts++
      result.records += part.length
      options.onPartDone?.(index)
      index++
    }
  } finally {
    result.requests = client.requests
    result.throttled = client.throttled
  }
  return result
}

/** The id of a part: `cax-` and 32 hex digits of the SHA-256 of its record Ids. */
export function partIdOf(records: readonly NormalizedRecord[]): string {
  const hash = createHash('sha256')
  for (const r of records) {
    hash.update(r.id)
    hash.update('\n')
  }
  return `cax-${hash.digest('hex').slice(0, PART_ID_LENGTH - 4)}`
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
  index: number,
  records: NormalizedRecord[],
  result: AdxPushResult
): Promise<void> {
  const { client, database, table, journal } = options
  const id = partIdOf(records)
  const previous = journal.part(index)
  const describe = `part ${index + 1} (${records.length} records, ${id})`
  if (previous && previous.id !== id) {
    throw new Error(
      `${describe}: the journal has ${previous.id} for this part; the records changed order since that push — push with a new --journal`
    )
  }
  if (previous?.state === 'verified') {
    result.skipped++
    result.verified++
    return
  }
  if (previous) {
    // It may have landed before the crash: count before sending again.
    const found = await countPart(client, database, table, id, options.signal)
    if (found === records.length) {
      await journal.record({ index, id, records: records.length, state: 'verified' })
      result.skipped++
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
  }
  const ndjson = records.map((r) => JSON.stringify(adxRowOf(r, id))).join('\n') + '\n'
  const bytes = Buffer.byteLength(ndjson)
  await journal.record({ index, id, records: records.length, state: 'sending' })
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
  await journal.record({ index, id, records: records.length, state: 'sent' })
  result.sent++
  result.bytes += bytes
  result.compressedBytes += compressed
  const sleep = options.sleep ?? defaultSleep
  const attempts = options.verifyAttempts ?? 5
  let found = 0
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
  await journal.record({ index, id, records: records.length, state: 'verified' })
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
