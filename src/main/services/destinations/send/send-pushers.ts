/**
 * The two pushes "Send to…" runs from a verified snapshot: the same code `cax push adx
 * --snapshot` and `cax push loganalytics --snapshot` run (adx-push.ts, log-analytics-push.ts),
 * wired to the destination main saved and a token source that sends the token only to it
 * (token-destination.ts through BearerHttp).
 */
import { randomUUID } from 'node:crypto'

import type { NormalizedRecord } from '../../../../shared/audit'
import { CLOUDS, adxScope, logAnalyticsScope, logsIngestionScope } from '../../../../shared/clouds'
import type { CloudId } from '../../../../shared/clouds'
import type { Destination } from '../../../../shared/destinations'
import { BearerHttp } from '../../audit-api/bearer-http'
import { tokenDestination } from '../../audit-api/token-destination'
import type { HttpsClient } from '../../http/https-client'
import { AdxClient } from '../../sources/adx/adx-client'
import { LogAnalyticsClient } from '../../sources/log-analytics/log-analytics-client'
import { pushToAdx } from '../adx/adx-push'
import { partCounter, pushToLogAnalytics } from '../log-analytics/log-analytics-push'
import { LogsIngestionClient } from '../log-analytics/logs-ingestion-client'
import { streamFor } from '../log-analytics/table-definition'
import { PushJournal } from '../push-journal'

/** A token for `scope` from the destination's connection (main only, never logged). */
export type ScopeTokenSource = (scope: string, forceRefresh: boolean) => Promise<string>

/** Knobs tests turn (waits, latency); the app leaves them at the CLI's defaults. */
export interface PushTuning {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** ADX: count queries per part before it is reported unverified. */
  verifyAttempts?: number
  /** ADX: records per part (default 10,000). */
  maxPartRecords?: number
  /** Log Analytics: how long accepted rows may take to show in queries. */
  latencyMs?: number
  pollMs?: number
  /** Log Analytics: largest part in bytes. */
  maxPartBytes?: number
}

/** What a push needs from the send. */
export interface PushInput {
  destination: Destination
  cloud: CloudId
  http: HttpsClient
  token: ScopeTokenSource
  records: () => AsyncIterable<NormalizedRecord>
  total: number
  /** The journal file (one per destination and record sequence). */
  journalPath: string
  /**
   * A Log Analytics run id derived from the destination and the records (16 hex digits): the
   * same records sent again after their journal was pruned tag the same parts, which are then
   * found at the destination instead of being sent twice.
   */
  runId: string
  signal: AbortSignal
  tuning: PushTuning
  onPart: (recordsDone: number, partsDone: number, throttled: number, line: string) => void
}

/** The account of a push in the terms of the summary. */
export interface PushOutcome {
  records: number
  parts: number
  sentRecords: number
  sentParts: number
  alreadyThereRecords: number
  alreadyThereParts: number
  failedRecords: number
  failedParts: number
  failures: string[]
  throttled: number
  isResumed: boolean
}

/** Pushes to the destination's engine. */
export function pushTo(input: PushInput): Promise<PushOutcome> {
  return input.destination.kind === 'adx' ? pushAdx(input) : pushLogAnalytics(input)
}

async function pushAdx(input: PushInput): Promise<PushOutcome> {
  const d = input.destination
  if (d.kind !== 'adx') {
    throw new Error('not an ADX destination')
  }
  const { cluster, database, table } = d.adx
  const client = new AdxClient({
    http: new BearerHttp({
      http: input.http,
      destination: tokenDestination('the Azure Data Explorer cluster', cluster),
      token: (force) => input.token(adxScope(cluster), force)
    }),
    cluster,
    ...(input.tuning.sleep ? { sleep: input.tuning.sleep } : {})
  })
  const maxPartRecords = input.tuning.maxPartRecords ?? 10_000
  const journal = await PushJournal.open(
    input.journalPath,
    {
      destination: 'adx',
      target: `${cluster}/${database}/${table}`,
      settings: { mode: 'streaming', maxPartBytes: 3_500_000, maxPartRecords }
    },
    () => randomUUID().slice(0, 8)
  )
  const isResumed = journal.all().length > 0
  let recordsDone = 0
  let partsDone = 0
  try {
    const r = await pushToAdx({
      client,
      database,
      table,
      records: input.records,
      total: input.total,
      journal,
      mode: 'streaming',
      maxPartRecords,
      ...(input.tuning.verifyAttempts !== undefined
        ? { verifyAttempts: input.tuning.verifyAttempts }
        : {}),
      ...(input.tuning.sleep ? { sleep: input.tuning.sleep } : {}),
      signal: input.signal,
      onPartDone: (_index, records) => {
        recordsDone += records
        partsDone++
        input.onPart(recordsDone, partsDone, client.throttled, '')
      },
      onProgress: (line) => input.onPart(recordsDone, partsDone, client.throttled, line)
    })
    const failedRecords = r.unverified.reduce((n, u) => n + u.expected, 0)
    return {
      records: r.records,
      parts: r.parts,
      sentRecords: r.sentRecords - failedRecords,
      sentParts: r.sent - r.unverified.length,
      alreadyThereRecords: r.skippedRecords,
      alreadyThereParts: r.skipped,
      failedRecords,
      failedParts: r.unverified.length,
      failures: r.unverified.map(
        (u) => `part ${u.index + 1} (${u.id}): counted ${u.found} rows, expected ${u.expected}`
      ),
      throttled: r.throttled,
      isResumed
    }
  } finally {
    await journal.close()
  }
}

async function pushLogAnalytics(input: PushInput): Promise<PushOutcome> {
  const d = input.destination
  if (d.kind !== 'loganalytics') {
    throw new Error('not a Log Analytics destination')
  }
  const { endpoint, ruleId, table, workspaceId } = d.loganalytics
  const cloud = CLOUDS[input.cloud]
  let throttled = 0
  const ingestion = new LogsIngestionClient({
    http: new BearerHttp({
      http: input.http,
      // The token for the rule goes to the endpoint saved with the destination, nowhere else.
      destination: tokenDestination('the Logs Ingestion API', endpoint),
      token: (force) => input.token(logsIngestionScope(cloud), force)
    }),
    endpoint,
    ruleId,
    stream: streamFor(table),
    ...(input.tuning.sleep ? { sleep: input.tuning.sleep } : {}),
    onThrottled: (ms) => {
      throttled++
      input.onPart(0, 0, throttled, `throttled (429): waiting ${Math.ceil(ms / 1000)} s as asked`)
    }
  })
  const base = d.logAnalyticsBase ?? cloud.logAnalyticsBase
  const query = new LogAnalyticsClient({
    http: new BearerHttp({
      http: input.http,
      destination: tokenDestination('the Log Analytics query API', base),
      token: (force) => input.token(logAnalyticsScope(cloud), force)
    }),
    base,
    ...(input.tuning.sleep ? { sleep: input.tuning.sleep } : {})
  })
  const countParts = partCounter(query, workspaceId, table)
  const journal = await PushJournal.open(
    input.journalPath,
    {
      destination: 'loganalytics',
      target: `${endpoint}|${ruleId}|${streamFor(table)}|${workspaceId.toLowerCase()}`,
      // The journal's file name already names the record sequence (see send-service.ts).
      source: 'app:send'
    },
    () => input.runId
  )
  try {
    let partsDone = 0
    let recordsRead = 0
    const r = await pushToLogAnalytics({
      records: input.records,
      journal,
      ingestion,
      countParts,
      total: input.total,
      signal: input.signal,
      isRunIdStable: true,
      ...(input.tuning.maxPartBytes !== undefined
        ? { maxPartBytes: input.tuning.maxPartBytes }
        : {}),
      ...(input.tuning.latencyMs !== undefined ? { latencyMs: input.tuning.latencyMs } : {}),
      ...(input.tuning.pollMs !== undefined ? { pollMs: input.tuning.pollMs } : {}),
      ...(input.tuning.sleep ? { sleep: input.tuning.sleep } : {}),
      // The push reports by line: `part <tag>: N records sent (R of T read, S sent)`.
      onProgress: (line) => {
        const sent = /records sent \((\d+)/.exec(line)
        if (sent) {
          partsDone++
          recordsRead = Number(sent[1])
        }
        input.onPart(recordsRead, partsDone, throttled, line)
      }
    })
    const unverifiedRecords = r.unverified.reduce((n, u) => n + u.expected, 0)
    const failedRecords =
      unverifiedRecords +
      journal
        .all()
        .filter((p) => p.status === 'failed')
        .reduce((n, p) => n + p.count, 0)
    const sentRecords = Math.max(0, r.sentRecords - unverifiedRecords)
    const parts = journal.all().filter((p) => p.children.length === 0).length
    // Parts sent again (`resent`) are among `sent`.
    const sentParts = Math.max(0, r.parts.sent - r.unverified.length)
    const failedParts = r.unverified.length + r.failures.length
    return {
      records: r.records,
      parts,
      sentRecords,
      sentParts,
      alreadyThereRecords: Math.max(0, r.records - sentRecords - failedRecords),
      // Like the records: the rest, i.e. verified before this run, found there by a count, or
      // sent by an earlier run and counted back in this one.
      alreadyThereParts: Math.max(0, parts - sentParts - failedParts),
      failedRecords,
      failedParts,
      failures: [
        ...r.unverified.map((u) => `${u.tag}: counted ${u.found} rows, expected ${u.expected}`),
        ...r.failures.map((f) => `${f.tag}: ${f.reason}`)
      ],
      throttled: r.throttled,
      isResumed: r.isResumed
    }
  } finally {
    await journal.close()
  }
}
