/**
 * Pushes records (a store or a snapshot, in their stable order) into a Log Analytics `_CL` table
 * through a data collection rule, resumable from a {@link PushJournal}:
 *
 * 1. Parts the journal planned but never marked sent are uncertain (the process may have died
 *    before or after the service accepted them): their rows are counted at the destination by
 *    their `PushPart` tag — all there: verified; none there (after the ingestion latency has
 *    passed): sent again; anything else is reported, never sent twice.
 * 2. The records are read again in order; parts already planned are rebuilt exactly (their Id
 *    hash must match, or the push stops: the source changed) and skipped or sent as the journal
 *    says; the rest are cut into new parts under the 1 MB call limit, each written to the journal
 *    before it is sent and marked sent after the 204. A 413 splits a part in two halves.
 * 3. Sent parts are verified by one count query per poll (`summarize count() by PushPart` over
 *    the run), until every part has exactly its rows or the ingestion latency has passed.
 */
import type { NormalizedRecord } from '../../../../shared/audit'

import { idsDigest } from '../push-journal'
import type { JournalPart, PushJournal } from '../push-journal'

import {
  LogAnalyticsError,
  type LogAnalyticsClient
} from '../../sources/log-analytics/log-analytics-client'

import { PayloadTooLargeError } from './logs-ingestion-client'
import type { LogsIngestionClient } from './logs-ingestion-client'
import { toPushRow } from './table-definition'

/** The service's limit per call; parts are cut below it (the JSON array, uncompressed). */
export const MAX_CALL_BYTES = 1024 * 1024
const DEFAULT_PART_BYTES = 1_000_000

/**
 * The `countParts` of a push into `table` of `workspaceId`: rows per `PushPart` of a run, by one
 * query through the Log Analytics query API (a partial answer is an error, never a short count).
 */
export function partCounter(
  query: Pick<LogAnalyticsClient, 'query'>,
  workspaceId: string,
  table: string
): LogAnalyticsPushOptions['countParts'] {
  return async (runId, signal) => {
    const answer = await query.query(
      workspaceId,
      `${table} | where PushRun == '${runId}' | summarize count() by PushPart`,
      undefined,
      signal
    )
    if (answer.partialError) {
      throw new LogAnalyticsError(200, answer.partialError.code, answer.partialError.message)
    }
    const tagAt = answer.table.columns.findIndex((c) => c.name === 'PushPart')
    const countAt = answer.table.columns.findIndex((c) => c.name === 'count_')
    return new Map(answer.table.rows.map((r) => [String(r[tagAt]), Number(r[countAt])]))
  }
}

export interface LogAnalyticsPushOptions {
  /** The records, in the same order on every call. */
  records: () => AsyncIterable<NormalizedRecord>
  journal: PushJournal
  ingestion: LogsIngestionClient
  /** Rows per `PushPart` of the run at the destination (a count query). */
  countParts: (runId: string, signal?: AbortSignal) => Promise<Map<string, number>>
  /** Largest part, bytes of JSON (default 1,000,000; at most 1 MB). */
  maxPartBytes?: number
  /** How long accepted rows may take to show in queries (default 10 minutes). */
  latencyMs?: number
  /** Time between verification polls (default 30 s). */
  pollMs?: number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => Date
  onProgress?: (line: string) => void
  /** Records in the source, for progress (optional). */
  total?: number
  /**
   * The journal's run id is derived from what is pushed (the app's sends), not random: a new
   * journal may follow one that was pruned or lost, so the run's parts are counted at the
   * destination once before the first is sent, and a part found complete there is not sent
   * again (one found in part is reported, never sent twice).
   */
  isRunIdStable?: boolean
  signal?: AbortSignal
}

/** The account of one push run. */
export interface LogAnalyticsPushResult {
  runId: string
  isResumed: boolean
  /** Records read from the source. */
  records: number
  /** Records sent in this run (resends included). */
  sentRecords: number
  parts: {
    /** Parts sent in this run. */
    sent: number
    /** Uncertain parts found complete at the destination (not sent again). */
    foundPresent: number
    /** Uncertain parts sent again (none of their rows had arrived). */
    resent: number
    /** Parts a 413 split. */
    split: number
    /** Parts verified by count (in this run). */
    verified: number
    /** Parts done in an earlier run. */
    skipped: number
    failed: number
  }
  /** Parts sent but not (yet) counted back complete, with what the count said. */
  unverified: Array<{ tag: string; expected: number; found: number }>
  /** Parts that cannot be sent, and why. */
  failures: Array<{ tag: string; reason: string }>
  requests: number
  throttled: number
}

/** The source no longer holds the records a journaled part was made of. */
export class PushSourceChanged extends Error {}

/** Runs (or resumes) the push. */
export async function pushToLogAnalytics(
  options: LogAnalyticsPushOptions
): Promise<LogAnalyticsPushResult> {
  return new LogAnalyticsPush(options).run()
}

class LogAnalyticsPush {
  private readonly result: LogAnalyticsPushResult
  private readonly maxPartBytes: number
  private readonly now: () => Date
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Uncertain parts whose rows were not at the destination: send them again. */
  private readonly toResend = new Set<string>()
  /** With a stable run id and a new journal: rows per part already at the destination. */
  private present = new Map<string, number>()
  private read = 0

  constructor(private readonly o: LogAnalyticsPushOptions) {
    this.maxPartBytes = Math.min(o.maxPartBytes ?? DEFAULT_PART_BYTES, MAX_CALL_BYTES)
    this.now = o.now ?? (() => new Date())
    this.sleep = o.sleep ?? defaultSleep
    this.result = {
      runId: o.journal.runId,
      isResumed: o.journal.isResumed,
      records: 0,
      sentRecords: 0,
      parts: { sent: 0, foundPresent: 0, resent: 0, split: 0, verified: 0, skipped: 0, failed: 0 },
      unverified: [],
      failures: [],
      requests: 0,
      throttled: 0
    }
  }

  async run(): Promise<LogAnalyticsPushResult> {
    try {
      if (this.o.isRunIdStable && !this.o.journal.isResumed) {
        this.present = await this.o.countParts(this.o.journal.runId, this.o.signal)
        if (this.present.size > 0) {
          this.progress(
            `[push] run ${this.o.journal.runId} already has rows of ${this.present.size} part(s) at the destination (a journal pruned or lost): parts found complete are not sent again`
          )
        }
      }
      await this.settleUncertain()
      await this.sendAll()
      await this.verifySent()
      // Every part counted back: the journal says so (it stays as the record of what was sent).
      await this.o.journal.markComplete(this.now)
    } finally {
      this.result.requests = this.o.ingestion.requests
      this.result.throttled = this.o.ingestion.throttled
    }
    for (const p of this.o.journal.all()) {
      if (p.status === 'failed') {
        this.result.failures.push({ tag: p.tag, reason: p.failure ?? 'failed' })
      }
    }
    return this.result
  }

  /** Step 1: decide, by counting at the destination, what happened to uncertain parts. */
  private async settleUncertain(): Promise<void> {
    const uncertain = this.o.journal
      .all()
      .filter((p) => p.status === 'planned' && !isSplit(p, this.o.journal))
    if (uncertain.length === 0) {
      return
    }
    this.progress(
      `[push] ${uncertain.length} part(s) of the last run may or may not have arrived; counting them at the destination`
    )
    let counts = await this.o.countParts(this.o.journal.runId, this.o.signal)
    const absent = uncertain.filter((p) => (counts.get(p.tag) ?? 0) === 0)
    const latency = this.o.latencyMs ?? 600_000
    if (absent.length > 0 && latency > 0) {
      // Rows can take minutes to show: wait until the latest of them could have.
      const latest = Math.max(...absent.map((p) => Date.parse(p.plannedAt)))
      const wait = latest + latency - this.now().getTime()
      if (wait > 0) {
        this.progress(
          `[push] waiting ${Math.ceil(wait / 1000)} s (ingestion latency) before deciding to send ${absent.length} part(s) again`
        )
        await this.sleep(wait, this.o.signal)
        counts = await this.o.countParts(this.o.journal.runId, this.o.signal)
      }
    }
    for (const p of uncertain) {
      const found = counts.get(p.tag) ?? 0
      if (found === p.count) {
        await this.mark(p, 'sent')
        await this.o.journal.append({ kind: 'verified', tag: p.tag, count: found, at: this.iso() })
        this.result.parts.foundPresent++
        this.result.parts.verified++
      } else if (found === 0) {
        this.toResend.add(p.tag)
      } else {
        // Ingestion is all or nothing per call, so this is someone else's doing: never resend.
        const reason = `${found} of its ${p.count} rows are at the destination; not sent again`
        await this.o.journal.append({ kind: 'failed', tag: p.tag, reason, at: this.iso() })
      }
    }
  }

  /** Step 2: read the source in order; rebuild journaled parts, cut and send new ones. */
  private async sendAll(): Promise<void> {
    const planned = this.o.journal.topLevel()
    let next = 0
    let buffer: NormalizedRecord[] = []
    let fresh:
      { first: number; records: NormalizedRecord[]; texts: string[]; bytes: number } | undefined
    let partNo = planned.length
    const run = this.o.journal.runId
    const tagOf = (n: number): string => `${run}-${String(n).padStart(6, '0')}`
    for await (const record of this.o.records()) {
      this.o.signal?.throwIfAborted()
      const index = this.read
      this.read++
      this.result.records++
      const part = planned[next]
      if (part) {
        buffer.push(record)
        if (buffer.length === part.count) {
          await this.replay(part, buffer)
          buffer = []
          next++
        }
        continue
      }
      const tag = tagOf(partNo + 1)
      const text = JSON.stringify(toPushRow(record, { run, part: tag }))
      const bytes = Buffer.byteLength(text) + 1
      if (fresh && fresh.bytes + bytes > this.maxPartBytes) {
        partNo++
        await this.sendNew(tag, fresh.first, fresh.records, fresh.texts)
        // This record opens the next part, whose rows carry the next tag.
        const again = JSON.stringify(toPushRow(record, { run, part: tagOf(partNo + 1) }))
        fresh = {
          first: index,
          records: [record],
          texts: [again],
          bytes: Buffer.byteLength(again) + 2
        }
        continue
      }
      fresh ??= { first: index, records: [], texts: [], bytes: 1 }
      fresh.records.push(record)
      fresh.texts.push(text)
      fresh.bytes += bytes
    }
    if (next < planned.length || buffer.length > 0) {
      throw new PushSourceChanged(
        `The source has fewer records than the journal ${this.o.journal.path} planned (${this.read} read; part ${planned[next]?.tag ?? '?'} needs records ${planned[next]?.first ?? '?'}–${(planned[next]?.first ?? 0) + (planned[next]?.count ?? 0) - 1}). Push the same store or snapshot, or start with a new --journal.`
      )
    }
    if (fresh && fresh.records.length > 0) {
      partNo++
      await this.sendNew(tagOf(partNo), fresh.first, fresh.records, fresh.texts)
    }
  }

  /** A part an earlier run planned, rebuilt from the source. */
  private async replay(part: JournalPart, records: NormalizedRecord[]): Promise<void> {
    if (idsDigest(records.map((r) => r.id)) !== part.idsSha256) {
      throw new PushSourceChanged(
        `Part ${part.tag} (records ${part.first}–${part.first + part.count - 1}) no longer holds the same records: the source changed since the journal ${this.o.journal.path} was written. Push the same store or snapshot, or start with a new --journal.`
      )
    }
    if (isSplit(part, this.o.journal)) {
      for (const tag of part.children) {
        const child = this.o.journal.part(tag)
        if (child) {
          const offset = child.first - part.first
          await this.replay(child, records.slice(offset, offset + child.count))
        }
      }
      return
    }
    if (part.status === 'planned' && this.toResend.has(part.tag)) {
      this.result.parts.resent++
      await this.send(part, records)
      return
    }
    if (part.status === 'verified' || part.status === 'failed') {
      this.result.parts.skipped++
    }
  }

  /** Plans (journal first) and sends a new part. */
  private async sendNew(
    tag: string,
    first: number,
    records: NormalizedRecord[],
    texts: string[]
  ): Promise<void> {
    await this.o.journal.append({
      kind: 'part',
      tag,
      first,
      count: records.length,
      bytes: texts.reduce((n, t) => n + Buffer.byteLength(t) + 1, 1),
      idsSha256: idsDigest(records.map((r) => r.id)),
      at: this.iso()
    })
    const part = this.o.journal.part(tag)
    if (!part) {
      return
    }
    const found = this.present.get(tag) ?? 0
    if (found === records.length) {
      await this.mark(part, 'sent')
      await this.o.journal.append({ kind: 'verified', tag, count: found, at: this.iso() })
      this.result.parts.foundPresent++
      this.result.parts.verified++
      return
    }
    if (found > 0) {
      const reason = `${found} of its ${records.length} rows are at the destination; not sent again`
      await this.o.journal.append({ kind: 'failed', tag, reason, at: this.iso() })
      this.result.parts.failed++
      return
    }
    await this.send(part, records, texts)
  }

  /** Sends a planned part; splits it on 413. */
  private async send(
    part: JournalPart,
    records: NormalizedRecord[],
    texts?: string[]
  ): Promise<void> {
    const rows =
      texts ??
      records.map((r) =>
        JSON.stringify(toPushRow(r, { run: this.o.journal.runId, part: part.tag }))
      )
    try {
      await this.o.ingestion.upload(`[${rows.join(',')}]`, this.o.signal)
    } catch (error) {
      if (!(error instanceof PayloadTooLargeError)) {
        throw error
      }
      if (records.length === 1) {
        const reason = `record ${records[0]?.id ?? '?'} alone is larger than one call may carry (${error.message})`
        await this.o.journal.append({ kind: 'failed', tag: part.tag, reason, at: this.iso() })
        this.result.parts.failed++
        this.progress(`[push] part ${part.tag} failed: ${reason}`)
        return
      }
      this.result.parts.split++
      const half = Math.ceil(records.length / 2)
      const halves = [records.slice(0, half), records.slice(half)]
      const tags = [`${part.tag}.1`, `${part.tag}.2`]
      this.progress(`[push] part ${part.tag} refused as too large (413); sending it in two halves`)
      let first = part.first
      for (const [i, slice] of halves.entries()) {
        await this.o.journal.append({
          kind: 'part',
          tag: tags[i] ?? '',
          parent: part.tag,
          first,
          count: slice.length,
          bytes: 0,
          idsSha256: idsDigest(slice.map((r) => r.id)),
          at: this.iso()
        })
        first += slice.length
      }
      await this.o.journal.append({ kind: 'split', tag: part.tag, at: this.iso() })
      for (const [i, slice] of halves.entries()) {
        const child = this.o.journal.part(tags[i] ?? '')
        if (child) {
          await this.send(child, slice)
        }
      }
      return
    }
    await this.mark(part, 'sent')
    this.result.parts.sent++
    this.result.sentRecords += records.length
    const total = this.o.total !== undefined ? ` / ${this.o.total}` : ''
    this.progress(
      `[push] part ${part.tag}: ${records.length} records sent (${this.read}${total} read, ${this.result.sentRecords} sent)`
    )
  }

  private async mark(part: JournalPart, kind: 'sent'): Promise<void> {
    await this.o.journal.append({ kind, tag: part.tag, at: this.iso() })
  }

  /** Step 3: count every sent part back until each has exactly its rows, or time is up. */
  private async verifySent(): Promise<void> {
    const latency = this.o.latencyMs ?? 600_000
    const deadline = this.now().getTime() + latency
    for (;;) {
      const pending = this.o.journal.all().filter((p) => p.status === 'sent')
      if (pending.length === 0) {
        return
      }
      const counts = await this.o.countParts(this.o.journal.runId, this.o.signal)
      const missing: Array<{ tag: string; expected: number; found: number }> = []
      for (const p of pending) {
        const found = counts.get(p.tag) ?? 0
        if (found === p.count) {
          await this.o.journal.append({
            kind: 'verified',
            tag: p.tag,
            count: found,
            at: this.iso()
          })
          this.result.parts.verified++
        } else if (found > p.count) {
          const reason = `${found} rows carry its tag, ${p.count} were sent: rows were doubled`
          await this.o.journal.append({ kind: 'failed', tag: p.tag, reason, at: this.iso() })
        } else {
          missing.push({ tag: p.tag, expected: p.count, found })
        }
      }
      if (missing.length === 0) {
        this.progress(`[push] every part counted back complete`)
        return
      }
      if (this.now().getTime() >= deadline) {
        this.result.unverified = missing
        return
      }
      this.progress(
        `[push] ${missing.length} part(s) not yet visible in the workspace; counting again in ${Math.ceil((this.o.pollMs ?? 30_000) / 1000)} s`
      )
      await this.sleep(
        Math.min(this.o.pollMs ?? 30_000, Math.max(0, deadline - this.now().getTime())),
        this.o.signal
      )
    }
  }

  private progress(line: string): void {
    this.o.onProgress?.(line)
  }

  private iso(): string {
    return this.now().toISOString()
  }
}

/** Whether a part was split and both halves are in the journal. */
function isSplit(part: JournalPart, journal: PushJournal): boolean {
  const halves = part.children.map((t) => journal.part(t)).filter((c) => c !== undefined)
  return halves.length === 2 && halves.reduce((n, c) => n + c.count, 0) === part.count
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
      },
      { once: true }
    )
  })
}
