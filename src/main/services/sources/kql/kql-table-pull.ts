/**
 * The window planner shared by the KQL sources (a Log Analytics / Sentinel workspace, an Azure
 * Data Explorer database): reads tables with KQL and lands them through the one ingest path (a
 * {@link RecordSink}: the CLI's store, keyed by the UAL Id, so a record already there counts as a
 * duplicate).
 *
 * Per table: `getschema` first (the table must have `TimeGenerated` and the UAL Id column); then
 * `summarize count() by bin(TimeGenerated, 1h)` over the range; then each UTC day is cut into
 * spans whose counted rows stay well under the engine's answer limits (500,000 rows / 64 MB for
 * both engines), and each span is read sorted by time. An answer that still comes back cut (a
 * partial error, or as many rows as the limit) is thrown away and its span split in two and read
 * again, down to one second; nothing is kept from a cut answer and nothing is dropped silently.
 * Each span is a ledger query entry, each day a ledger window (of the engine's source),
 * committed with its records.
 */
import { queryKey, utcDayStart, windowKey } from '../../../../shared/acquisition'
import type {
  AcquisitionSource,
  LedgerDelta,
  LedgerQuery,
  LedgerWindow
} from '../../../../shared/acquisition'
import type { NormalizedRecord } from '../../../../shared/audit'
import type { FailedWindow, RecordSink } from '../../acquisition/types'
import { newWindow, toLedgerError as toAcquisitionError } from '../../acquisition/retry'

import type { RetryCounters } from './kql-http'

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
const MIN_SPAN_MS = 1000
const COMMIT_BATCH = 5000

/** A column of a result table. */
export interface KqlColumn {
  name: string
  type: string
}

/** The primary result table of a query and, when the engine cut it, why. */
export interface KqlAnswer {
  table: { columns: KqlColumn[]; rows: unknown[][] }
  /** Set when the engine answered with an error after (some of) the rows: they are incomplete. */
  partialError: { code: string; message: string } | undefined
}

/** The outcome of mapping one row. */
export type KqlRowResult = { ok: true; record: NormalizedRecord } | { ok: false; reason: string }

/** What the planner needs from an engine: queries, a row mapping and how to name things. */
export interface KqlEngine {
  /** The ledger source: `workspace` or `adx`. */
  source: AcquisitionSource
  /** The ledger's content type of a table (`Table@workspace-id`, `Table@cluster/database`). */
  label(table: string): string
  /** Runs one query (over `[start, end)` when given); throws the engine's error. */
  query(
    kql: string,
    span: { start: Date; end: Date } | undefined,
    signal?: AbortSignal
  ): Promise<KqlAnswer>
  /** Sign-in or permission refusals: the pull stops (other failures are recorded). */
  isAuthError(error: unknown): boolean
  /** Requests sent and 429s waited out so far. */
  counters: RetryCounters
  /** The UAL Id columns the engine's tables may have, in preference order. */
  idColumns: readonly string[]
  /** The Id column of a schema, or undefined. */
  idColumnOf(columns: readonly string[]): string | undefined
  /** Maps one row into a normalized record; never throws. */
  mapRow(row: unknown[], columns: readonly KqlColumn[], table: string): KqlRowResult
}

/** What to read. */
export interface KqlPullRequest {
  /** The Entra tenant (ledger entries are per tenant). */
  tenantId: string
  /** Tables to read, e.g. `PowerPlatformAdminActivity`. */
  tables: string[]
  since: Date
  until: Date
}

export interface KqlPullOptions {
  sink: RecordSink
  /** The engine's row limit per answer (default 500,000); spans are planned to half of it. */
  maxRows?: number
  /** The engine's size limit per answer in bytes (default 64 MB); planned to half of it. */
  maxBytes?: number
  /** Windows ending less than this before now are re-read by the next pull (default 30 min). */
  settleMs?: number
  now?: () => Date
  /** A progress line (stderr in the CLI). */
  onProgress?: (line: string) => void
  signal?: AbortSignal
}

/** The account of one pull. */
export interface KqlPullResult {
  records: number
  new: number
  duplicates: number
  rejected: number
  /** Spans read successfully. */
  queries: number
  /** Answers that came back cut and were split and read again. */
  splits: number
  windows: { complete: number; listed: number; partial: number; failed: number; skipped: number }
  failedWindows: FailedWindow[]
  requests: number
  throttled: number
}

/** A table that cannot be read as a Power Platform activity table. */
export class KqlSchemaError extends Error {}

/** A problem the planner found in an answer (a count mismatch, an unsplittable second…). */
export class KqlPullError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'KqlPullError'
  }
}

interface Span {
  start: number
  end: number
  /** Rows the count query reported, when the span was planned from counts. */
  expected: number | null
}

/** Reads the request's tables into the sink. Auth refusals throw; other failures are recorded. */
export async function pullKqlTables(
  engine: KqlEngine,
  request: KqlPullRequest,
  options: KqlPullOptions
): Promise<KqlPullResult> {
  return new KqlTablePull(engine, request, options).run()
}

class KqlTablePull {
  private readonly result: KqlPullResult = {
    records: 0,
    new: 0,
    duplicates: 0,
    rejected: 0,
    queries: 0,
    splits: 0,
    windows: { complete: 0, listed: 0, partial: 0, failed: 0, skipped: 0 },
    failedWindows: [],
    requests: 0,
    throttled: 0
  }
  private readonly maxRows: number
  private readonly maxBytes: number
  /** Bytes per row seen so far (starts at a generous guess; the largest average seen wins). */
  private rowBytes = 4096
  private readonly now: () => Date

  constructor(
    private readonly engine: KqlEngine,
    private readonly request: KqlPullRequest,
    private readonly options: KqlPullOptions
  ) {
    this.maxRows = options.maxRows ?? 500_000
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024
    this.now = options.now ?? (() => new Date())
  }

  async run(): Promise<KqlPullResult> {
    const until = Math.min(this.request.until.getTime(), this.now().getTime())
    const since = this.request.since.getTime()
    const ledger = await this.options.sink.loadLedger()
    try {
      for (const table of this.request.tables) {
        const days: Array<{ key: string; start: number; end: number }> = []
        for (let d = utcDayStart(since); d < until; d += DAY_MS) {
          const start = Math.max(since, d)
          const end = Math.min(until, d + DAY_MS)
          const key = windowKey(this.engine.source, this.request.tenantId, this.label(table), d)
          const done = ledger.windows[key]
          if (
            done?.status === 'complete' &&
            Date.parse(done.start) <= start &&
            Date.parse(done.end) >= end
          ) {
            this.result.windows.skipped++
            continue
          }
          days.push({ key, start, end })
        }
        if (days.length === 0) {
          continue
        }
        // Write down the windows before the first request, so coverage can tell "not tried
        // yet" from "not requested" if the pull stops early.
        const planned = days
          .filter((day) => ledger.windows[day.key] === undefined)
          .map((day) => this.window(table, day, undefined))
        if (planned.length > 0) {
          await this.options.sink.commit({
            records: [],
            ledger: { windows: planned, blobs: [], queries: [] }
          })
        }
        let counts: Map<number, number>
        try {
          await this.schema(table)
          counts = await this.countByHour(table, days[0]?.start ?? since, until)
        } catch (error) {
          if (this.engine.isAuthError(error)) {
            throw error
          }
          for (const day of days) {
            await this.finishWindow(table, day, ledger.windows[day.key], 'failed', [], error)
          }
          continue
        }
        for (const day of days) {
          await this.readDay(table, day, counts, ledger.windows[day.key])
        }
      }
    } finally {
      this.result.requests = this.engine.counters.requests
      this.result.throttled = this.engine.counters.throttled
    }
    return this.result
  }

  /** `table@where`: the ledger's content type for this source. */
  private label(table: string): string {
    return this.engine.label(table)
  }

  /** Checks the table has the columns the mapping needs (`getschema`). */
  private async schema(table: string): Promise<string[]> {
    const answer = await this.engine.query(`${table} | getschema`, undefined, this.options.signal)
    const nameAt = answer.table.columns.findIndex((c) => c.name === 'ColumnName')
    const names = answer.table.rows.map((r) => String(r[nameAt]))
    if (!names.includes('TimeGenerated') || this.engine.idColumnOf(names) === undefined) {
      throw new KqlSchemaError(
        `${table} has no TimeGenerated or no UAL record Id column (${this.engine.idColumns.join(' / ')}); columns: ${names.slice(0, 20).join(', ')}`
      )
    }
    return names
  }

  private async countByHour(
    table: string,
    start: number,
    end: number
  ): Promise<Map<number, number>> {
    const answer = await this.engine.query(
      `${table} | where ${timeFilter(start, end)} | summarize count() by bin(TimeGenerated, 1h)`,
      { start: new Date(start), end: new Date(end) },
      this.options.signal
    )
    if (answer.partialError) {
      throw new KqlPullError(
        200,
        answer.partialError.code,
        `the count query came back partial: ${answer.partialError.message}`
      )
    }
    const timeAt = answer.table.columns.findIndex((c) => c.name === 'TimeGenerated')
    const countAt = answer.table.columns.findIndex((c) => c.name === 'count_')
    const counts = new Map<number, number>()
    for (const row of answer.table.rows) {
      const hour = Date.parse(String(row[timeAt]))
      const n = Number(row[countAt])
      if (Number.isNaN(hour) || !Number.isFinite(n)) {
        throw new KqlPullError(
          200,
          'malformed-body',
          'the count query answered a row without a time or a count'
        )
      }
      counts.set(Math.floor(hour / HOUR_MS) * HOUR_MS, n)
    }
    return counts
  }

  /** Rows a span may be planned to: half the row limit and half the size limit. */
  private rowCap(): number {
    return Math.max(
      1,
      Math.min(Math.floor(this.maxRows / 2), Math.floor(this.maxBytes / 2 / this.rowBytes))
    )
  }

  /** Cuts a day into spans whose counted rows fit {@link rowCap}. */
  private plan(day: { start: number; end: number }, counts: Map<number, number>): Span[] {
    const spans: Span[] = []
    let open: Span | undefined
    const cap = this.rowCap()
    for (let h = Math.floor(day.start / HOUR_MS) * HOUR_MS; h < day.end; h += HOUR_MS) {
      const start = Math.max(day.start, h)
      const end = Math.min(day.end, h + HOUR_MS)
      const n = counts.get(h) ?? 0
      if (n > cap) {
        if (open) {
          spans.push(open)
          open = undefined
        }
        // One hour over the cap: equal slices, each expected to fit (a skewed hour splits on read).
        const parts = Math.max(
          1,
          Math.min(Math.ceil(n / cap) * 2, Math.floor((end - start) / MIN_SPAN_MS))
        )
        const step = Math.ceil((end - start) / parts)
        for (let s = start; s < end; s += step) {
          spans.push({ start: s, end: Math.min(end, s + step), expected: null })
        }
        continue
      }
      if (open && (open.expected ?? 0) + n <= cap) {
        open.end = end
        open.expected = (open.expected ?? 0) + n
      } else {
        if (open) {
          spans.push(open)
        }
        open = { start, end, expected: n }
      }
    }
    if (open) {
      spans.push(open)
    }
    return spans
  }

  private async readDay(
    table: string,
    day: { key: string; start: number; end: number },
    counts: Map<number, number>,
    previous: LedgerWindow | undefined
  ): Promise<void> {
    const queue = this.plan(day, counts)
    const problems: unknown[] = []
    let window = this.window(table, day, previous)
    while (queue.length > 0) {
      this.options.signal?.throwIfAborted()
      const span = queue.shift() as Span
      const entry = this.queryEntry(table, day.key, span)
      let answer
      try {
        answer = await this.engine.query(
          `${table} | where ${timeFilter(span.start, span.end)} | sort by TimeGenerated asc`,
          { start: new Date(span.start), end: new Date(span.end) },
          this.options.signal
        )
      } catch (error) {
        if (this.engine.isAuthError(error)) {
          throw error
        }
        problems.push(error)
        window = { ...window, attempts: window.attempts + 1, lastError: toLedgerError(error) }
        await this.commit(
          [],
          {
            ...entry,
            status: 'failed',
            attempts: 1,
            lastError: toLedgerError(error),
            finishedAt: this.iso()
          },
          window
        )
        continue
      }
      const rows = answer.table.rows
      const isCut = answer.partialError !== undefined || rows.length >= this.maxRows
      if (isCut) {
        // Never keep a cut answer: split the span and read both halves again.
        this.result.splits++
        const reason = answer.partialError
          ? `${answer.partialError.code}: ${answer.partialError.message}`
          : `${rows.length} rows, the service's limit`
        this.options.onProgress?.(
          `[${this.engine.source}] ${table} ${new Date(span.start).toISOString()} – ${new Date(span.end).toISOString()} came back cut (${reason}); splitting`
        )
        if (rows.length > 0) {
          this.rowBytes = Math.max(
            this.rowBytes,
            Math.ceil(JSON.stringify(rows).length / rows.length)
          )
        }
        const split: LedgerQuery = {
          ...entry,
          status: 'split',
          isRecordCountLimitExceeded: true,
          attempts: 1,
          lastError: { code: answer.partialError?.code ?? 'truncated', message: reason },
          finishedAt: this.iso()
        }
        if (span.end - span.start < 2 * MIN_SPAN_MS) {
          const error = new KqlPullError(
            200,
            'unsplittable',
            `one second of ${table} at ${new Date(span.start).toISOString()} is larger than one answer can carry (${reason})`
          )
          problems.push(error)
          window = { ...window, lastError: toLedgerError(error) }
          await this.commit([], { ...split, status: 'failed' }, window)
          continue
        }
        const mid = span.start + Math.floor((span.end - span.start) / 2 / MIN_SPAN_MS) * MIN_SPAN_MS
        queue.unshift(
          { start: span.start, end: mid, expected: null },
          { start: mid, end: span.end, expected: null }
        )
        await this.commit([], split, window)
        continue
      }
      if (rows.length > 0) {
        this.rowBytes = Math.max(
          this.rowBytes,
          Math.ceil(JSON.stringify(rows).length / rows.length)
        )
      }
      const records: NormalizedRecord[] = []
      let rejected = 0
      for (const row of rows) {
        const mapped = this.engine.mapRow(row, answer.table.columns, table)
        if (mapped.ok) {
          records.push(mapped.record)
        } else {
          rejected++
          this.options.onProgress?.(
            `[${this.engine.source}] ${table}: a row was rejected: ${mapped.reason}`
          )
        }
      }
      this.result.queries++
      this.result.rejected += rejected
      let fewer: KqlPullError | undefined
      if (span.expected !== null && rows.length < span.expected) {
        fewer = new KqlPullError(
          200,
          'count-mismatch',
          `${table} ${new Date(span.start).toISOString()} – ${new Date(span.end).toISOString()}: the count said ${span.expected} rows, the query returned ${rows.length}`
        )
        problems.push(fewer)
      }
      const done: LedgerQuery = {
        ...entry,
        status: fewer ? 'failed' : 'succeeded',
        attempts: 1,
        received: rows.length,
        rejected,
        lastError: fewer ? toLedgerError(fewer) : null,
        finishedAt: this.iso()
      }
      window = {
        ...window,
        listed: window.listed + (span.expected ?? rows.length),
        received: window.received + rows.length,
        rejected: window.rejected + rejected,
        attempts: window.attempts + 1,
        ...(fewer ? { lastError: toLedgerError(fewer) } : {})
      }
      const counted = await this.commit(records, done, window)
      window = {
        ...window,
        new: window.new + counted.new,
        duplicate: window.duplicate + counted.duplicates
      }
    }
    const failed = problems.length > 0
    await this.finishWindow(table, day, window, failed ? 'partial' : 'ok', problems, undefined)
  }

  /**
   * Commits a span's records in batches, then its ledger entries with the counts the store
   * reported (a crash between the two re-reads the span next time: repeats count as duplicates).
   */
  private async commit(
    records: NormalizedRecord[],
    query: LedgerQuery,
    window: LedgerWindow
  ): Promise<{ new: number; duplicates: number }> {
    let added = 0
    let duplicates = 0
    for (let i = 0; i < records.length; i += COMMIT_BATCH) {
      const counted = await this.options.sink.commit({
        records: records.slice(i, i + COMMIT_BATCH),
        ledger: { windows: [], blobs: [], queries: [] }
      })
      added += counted.new
      duplicates += counted.duplicates
    }
    const at = this.iso()
    const delta: LedgerDelta = {
      windows: [
        {
          ...window,
          new: window.new + added,
          duplicate: window.duplicate + duplicates,
          updatedAt: at
        }
      ],
      blobs: [],
      queries: [{ ...query, new: added, duplicate: duplicates }]
    }
    await this.options.sink.commit({ records: [], ledger: delta })
    this.result.records += records.length
    this.result.new += added
    this.result.duplicates += duplicates
    return { new: added, duplicates }
  }

  private async finishWindow(
    table: string,
    day: { key: string; start: number; end: number },
    window: LedgerWindow | undefined,
    outcome: 'ok' | 'partial' | 'failed',
    problems: unknown[],
    error: unknown
  ): Promise<void> {
    const at = this.iso()
    const base = window ?? this.window(table, day, undefined)
    const settled = day.end <= this.now().getTime() - (this.options.settleMs ?? 30 * 60_000)
    const status: LedgerWindow['status'] =
      outcome === 'failed'
        ? 'failed'
        : outcome === 'partial'
          ? 'partial'
          : settled
            ? 'complete'
            : 'listed'
    const lastError =
      error !== undefined
        ? toLedgerError(error)
        : problems.length > 0
          ? toLedgerError(problems[problems.length - 1])
          : null
    const final: LedgerWindow = {
      ...base,
      status,
      lastError,
      listCount: base.listCount + (outcome === 'failed' ? 0 : 1),
      lastListedAt: outcome === 'failed' ? base.lastListedAt : at,
      firstListedAt: base.firstListedAt ?? (outcome === 'failed' ? null : at),
      completedAt: status === 'complete' ? at : base.completedAt,
      attempts: base.attempts + (outcome === 'failed' ? 1 : 0),
      updatedAt: at
    }
    await this.options.sink.commit({
      records: [],
      ledger: { windows: [final], blobs: [], queries: [] }
    })
    this.result.windows[
      status === 'complete'
        ? 'complete'
        : status === 'listed'
          ? 'listed'
          : status === 'partial'
            ? 'partial'
            : 'failed'
    ]++
    if (status === 'partial' || status === 'failed') {
      this.result.failedWindows.push({
        source: this.engine.source,
        contentType: final.contentType,
        start: final.start,
        end: final.end,
        status,
        error: final.lastError
      })
    }
  }

  /** The day's window entry for this run (counts start again; attempts carry over). */
  private window(
    table: string,
    day: { key: string; start: number; end: number },
    previous: LedgerWindow | undefined
  ): LedgerWindow {
    const at = this.iso()
    const fresh = newWindow(
      day.key,
      this.request.tenantId.toLowerCase(),
      this.engine.source,
      this.label(table),
      at
    )
    return {
      ...fresh,
      attempts: previous?.attempts ?? 0,
      listCount: previous?.listCount ?? 0,
      firstListedAt: previous?.firstListedAt ?? null,
      start: new Date(day.start).toISOString(),
      end: new Date(day.end).toISOString()
    }
  }

  private queryEntry(table: string, windowKeyText: string, span: Span): LedgerQuery {
    return {
      key: queryKey(this.request.tenantId, this.label(table), span.start, span.end),
      tenantId: this.request.tenantId.toLowerCase(),
      windowKey: windowKeyText,
      queryId: null,
      start: new Date(span.start).toISOString(),
      end: new Date(span.end).toISOString(),
      recordTypes: [],
      status: 'running',
      approximateCount: span.expected,
      isRecordCountLimitExceeded: false,
      received: 0,
      new: 0,
      duplicate: 0,
      rejected: 0,
      attempts: 0,
      lastError: null,
      createdAt: this.iso(),
      finishedAt: null
    }
  }

  private iso(): string {
    return this.now().toISOString()
  }
}

/** A ledger error with the service's code (`GatewayTimeout`, `count-mismatch`…). */
function toLedgerError(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' && !(error instanceof KqlSchemaError)
    ? { code, message: error.message }
    : error instanceof KqlSchemaError
      ? { code: 'schema', message: error.message }
      : toAcquisitionError(error)
}

/** The KQL time filter of `[start, end)`. */
function timeFilter(start: number, end: number): string {
  return `TimeGenerated >= datetime(${new Date(start).toISOString()}) and TimeGenerated < datetime(${new Date(end).toISOString()})`
}
