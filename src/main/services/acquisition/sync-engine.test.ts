import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { startEmulator } from '../../../emulator'
import type { Emulator, ScenarioName } from '../../../emulator'
import { coverage, reachableSince } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { CLOUDS } from '../../../shared/clouds'
import { AppOnlyAuth } from '../auth/app-only-auth'
import { HttpsClient, isLoopbackHost } from '../http/https-client'
import { MemoryLogger } from '../logging/logger'
import { FileStore } from '../store/file-store'

import { MemorySink } from './memory-sink'
import { SyncEngine } from './sync-engine'
import type { SyncEngineOptions } from './sync-engine'
import { realSleep } from './token-bucket'
import type { Sleep } from './token-bucket'
import type { TokenProvider } from './types'

const APP_ID = '5d1f0a4e-2222-4333-8444-955556666777'
const PUBLISHER = '9a8b7c6d-1111-4222-8333-944445555666'
const NOW = new Date('2026-11-20T12:00:00Z')
const HOUR = 3_600_000
const DAY = 86_400_000

interface Rig {
  emu: Emulator
  http: HttpsClient
  token: TokenProvider
  log: MemoryLogger
  engine(sink: SyncEngineOptions['sink'], extra?: Partial<SyncEngineOptions>): SyncEngine
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) {
    await c()
  }
})

/** An emulator on a frozen clock, app-only tokens by client credentials (real MSAL). */
async function rig(scenario: ScenarioName, sleep?: (emu: Emulator) => Sleep): Promise<Rig> {
  const emu = await startEmulator({ scenario, seed: 11, now: NOW })
  cleanups.push(() => emu.close())
  emu.entra.setClientSecret(APP_ID, 'correct-horse')
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  const http = new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost })
  const log = new MemoryLogger()
  const newAuth = (): AppOnlyAuth =>
    new AppOnlyAuth({
      clientId: APP_ID,
      tenantId: emu.tenantId,
      credential: { kind: 'secret', secret: 'correct-horse' },
      endpoints: {
        ...emu.urls,
        managementResource: CLOUDS.commercial.managementResource,
        graphResource: CLOUDS.commercial.graphResource,
        hasGraphAuditQuery: true
      },
      http,
      log
    })
  let auth = newAuth()
  const token: TokenProvider = async (resource, force) => {
    if (force) {
      auth = newAuth()
    }
    return (await auth.getAccessToken(resource)).token
  }
  const fast: Sleep = (ms, signal) => realSleep(Math.min(ms, 2), signal)
  return {
    emu,
    http,
    token,
    log,
    engine: (sink, extra = {}) =>
      new SyncEngine({
        http,
        managementApiBase: emu.urls.managementApiBase,
        graphBase: emu.urls.graphBase,
        publisherId: PUBLISHER,
        token,
        sink,
        log,
        now: () => emu.clock.now(),
        sleep: sleep ? sleep(emu) : fast,
        ...extra
      })
  }
}

/** A sleep that moves the emulator's clock instead of waiting (its token buckets refill). */
const clockSleep =
  (emu: Emulator): Sleep =>
  async (ms, signal) => {
    if (signal?.aborted) {
      throw new Error('aborted')
    }
    emu.clock.advance(ms)
    await new Promise((r) => setImmediate(r))
  }

async function tempStore(): Promise<FileStore> {
  const dir = await mkdtemp(join(tmpdir(), 'cax-engine-'))
  const store = await FileStore.open(dir, { checkpointEveryMs: 0 })
  cleanups.push(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })
  return store
}

async function storedIds(store: FileStore): Promise<string[]> {
  const ids: string[] = []
  for await (const r of store.records()) {
    ids.push(r.id)
  }
  return ids
}

function lower(ids: Iterable<string>): string[] {
  return [...ids].map((id) => id.toLowerCase()).sort()
}

/** The 24-hour / 7-day rules were never broken, and every call carried PublisherIdentifier. */
function expectRulesKept(emu: Emulator, windowRuleErrors: number): void {
  const log = emu.requestLog()
  expect(log.length).toBeGreaterThan(0)
  expect(log.length).toBeLessThan(5000)
  const broken = log.filter((e) => e.path.includes('/subscriptions/content') && e.status === 400)
  expect(broken).toEqual([])
  expect(windowRuleErrors).toBe(0)
  expect(log.filter((e) => e.publisherIdentifier !== PUBLISHER)).toEqual([])
  // Blob GETs too (checklist item 2).
  expect(log.some((e) => e.path.includes('/audit/'))).toBe(true)
}

describe('SyncEngine against the emulator', () => {
  it('flaky: retries 5xx, resets, truncated and malformed bodies; every event exactly once', async () => {
    const r = await rig('flaky')
    const store = await tempStore()
    const since = new Date(NOW.getTime() - 2 * DAY)
    const until = new Date(NOW.getTime() - 8 * HOUR)
    const result = await r
      .engine(store, { maxAttempts: 12 })
      .run({ tenantId: r.emu.tenantId, since, until })
    const truth = r.emu.groundTruth(since, until, 'Audit.General')
    const ids = await storedIds(store)
    expect(new Set(ids).size).toBe(ids.length)
    expect(lower(ids)).toEqual(lower(truth))
    expect(result.blobs.failed).toBe(0)
    expect(result.gaps).toBe(0)
    expect(r.log.lines.some((l) => l.includes('retrying'))).toBe(true)
    expectRulesKept(r.emu, result.windowRuleErrors)
  })

  it('reads blobs as streams: records before a break are kept, the retry resumes after them', async () => {
    const r = await rig('clean')
    const store = await tempStore()
    // Thursday 08:00–12:00 UTC: busy hours, blobs of 60 records
    const since = new Date(NOW.getTime() - 28 * HOUR)
    const until = new Date(NOW.getTime() - 24 * HOUR)
    const truth = lower(r.emu.groundTruth(since, until, 'Audit.General'))
    // Every blob body breaks off half-way: a reader that waits for the whole body keeps nothing.
    r.emu.faults.set({ truncateRate: 1 })
    const broken = await r
      .engine(store, { maxAttempts: 2, batchSize: 2 })
      .run({ tenantId: r.emu.tenantId, since, until })
    expect(broken.blobs.failed).toBeGreaterThan(0)
    const partial = lower(await storedIds(store))
    expect(partial.length).toBeGreaterThan(truth.length / 4)
    expect(partial.length).toBeLessThan(truth.length)
    expect(partial.every((id) => truth.includes(id))).toBe(true)
    const ledger = await store.loadLedger()
    const received = Object.values(ledger.blobs).reduce((n, b) => n + b.received, 0)
    expect(received).toBe(partial.length)
    // The next run fetches the failed blobs again and stores only what was missing.
    r.emu.faults.set({ truncateRate: 0 })
    const resumed = await r.engine(store).run({ tenantId: r.emu.tenantId, since, until })
    const ids = await storedIds(store)
    expect(new Set(ids).size).toBe(ids.length)
    expect(lower(ids)).toEqual(truth)
    expect(resumed.blobs.failed).toBe(0)
    const after = await store.loadLedger()
    expect(Object.values(after.blobs).reduce((n, b) => n + b.duplicate, 0)).toBe(0)
  })

  it('throttled: backs off on AF429 under a small budget and still gets everything', async () => {
    const r = await rig('throttled', clockSleep)
    const store = await tempStore()
    const since = new Date(NOW.getTime() - 1 * DAY)
    const until = new Date(NOW.getTime() - 8 * HOUR)
    const result = await r
      .engine(store, { budgetPerMinute: 2000, concurrency: 4 })
      .run({ tenantId: r.emu.tenantId, since, until })
    expect(result.throttleEvents).toBeGreaterThan(0)
    const truth = r.emu.groundTruth(since, until, 'Audit.General')
    const ids = await storedIds(store)
    expect(new Set(ids).size).toBe(ids.length)
    expect(lower(ids)).toEqual(lower(truth))
    expect(result.blobs.failed).toBe(0)
    expectRulesKept(r.emu, result.windowRuleErrors)
  })

  it('a sink of objects and a sink of serialized records receive the same records', async () => {
    const r = await rig('duplicates')
    const since = new Date(NOW.getTime() - 12 * HOUR)
    const until = new Date(NOW.getTime() - 8 * HOUR)
    const objects = new MemorySink()
    const store = await tempStore()
    const viaObjects = await r.engine(objects).run({ tenantId: r.emu.tenantId, since, until })
    const viaBytes = await r.engine(store, { batchSize: 7 }).run({
      tenantId: r.emu.tenantId,
      since,
      until
    })
    const stored: NormalizedRecord[] = []
    for await (const record of store.records()) {
      stored.push(record)
    }
    const byId = (a: NormalizedRecord, b: NormalizedRecord): number => a.id.localeCompare(b.id)
    expect(stored.length).toBeGreaterThan(0)
    expect(stored.sort(byId)).toEqual([...objects.records.values()].sort(byId))
    expect(viaBytes.duplicates).toBe(viaObjects.duplicates)
    expect(viaBytes.duplicates).toBeGreaterThan(0)
  })

  it('throttled: a budget at the tenant limit avoids AF429 altogether', async () => {
    const r = await rig('throttled', clockSleep)
    const sink = new MemorySink()
    const since = new Date(NOW.getTime() - 10 * HOUR)
    const until = new Date(NOW.getTime() - 8 * HOUR)
    const result = await r
      .engine(sink, { budgetPerMinute: 25, concurrency: 2 })
      .run({ tenantId: r.emu.tenantId, since, until })
    expect(result.throttleEvents).toBe(0)
    expect(lower(sink.records.keys())).toEqual(
      lower(r.emu.groundTruth(since, until, 'Audit.General'))
    )
  })

  it('late-arrivals: re-listing on the next sync picks up blobs that were not listable yet', async () => {
    const r = await rig('late-arrivals')
    const store = await tempStore()
    const since = new Date(NOW.getTime() - 2 * DAY)
    const until = NOW
    const first = await r.engine(store).run({ tenantId: r.emu.tenantId, since, until })
    const before = new Set(r.emu.groundTruth(since, until, 'Audit.General'))
    r.emu.clock.advance(11 * HOUR)
    const after = r.emu.groundTruth(since, until, 'Audit.General')
    expect(after.size).toBeGreaterThan(before.size)
    const second = await r.engine(store).run({ tenantId: r.emu.tenantId, since, until })
    expect(second.blobs.skipped).toBeGreaterThan(0)
    const ids = await storedIds(store)
    expect(new Set(ids).size).toBe(ids.length)
    expect(lower(ids)).toEqual(lower(after))
    // The hours just before the first sync were not settled then; the old ones are complete now.
    const hours = coverage(await store.ledger(), { start: since, end: until }, r.emu.clock.now())
    expect(hours.every((h) => h.status === 'complete')).toBe(true)
    expectRulesKept(r.emu, first.windowRuleErrors + second.windowRuleErrors)
  })

  it('duplicates: each Id stored once, repeats counted', async () => {
    const r = await rig('duplicates')
    const store = await tempStore()
    const since = new Date(NOW.getTime() - 1 * DAY)
    const until = new Date(NOW.getTime() - 8 * HOUR)
    const result = await r.engine(store).run({ tenantId: r.emu.tenantId, since, until })
    const ids = await storedIds(store)
    expect(new Set(ids).size).toBe(ids.length)
    expect(lower(ids)).toEqual(lower(r.emu.groundTruth(since, until, 'Audit.General')))
    expect(result.duplicates).toBeGreaterThan(0)
    const counted = [...store.duplicateCounts().values()].reduce((a, b) => a + b, 0)
    expect(counted).toBe(result.duplicates)
    expect(result.new).toBe(ids.length)
    // A second sync downloads nothing again.
    const again = await r.engine(store).run({ tenantId: r.emu.tenantId, since, until })
    expect(again.blobs.done).toBe(0)
    expect(again.new).toBe(0)
    expectRulesKept(r.emu, result.windowRuleErrors + again.windowRuleErrors)
  })

  it('expired: content that expires before download is recorded as a gap, the rest arrives once', async () => {
    const r = await rig('expired')
    const store = await tempStore()
    const since = new Date(NOW.getTime() - 7 * DAY)
    const until = new Date(NOW.getTime() - 5 * DAY)
    // Run 1 lists the oldest window and is cut short after a few blobs.
    const controller = new AbortController()
    await expect(
      r.engine(store, { concurrency: 1 }).run(
        { tenantId: r.emu.tenantId, since, until },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.blobsDone >= 3) {
              controller.abort()
            }
          }
        }
      )
    ).rejects.toMatchObject({ code: 'cancelled' })
    const pending = Object.values((await store.ledger()).blobs).filter(
      (b) => b.status === 'pending'
    )
    expect(pending.length).toBeGreaterThan(5)
    // Two hours later the oldest of them are past contentExpiration. Run 2's clock lags the
    // server's by 30 minutes, so some look alive to it and the API answers AF20051.
    r.emu.clock.advance(2 * HOUR)
    const lagging = (): Date => new Date(r.emu.clock.now().getTime() - 30 * 60_000)
    const result = await r
      .engine(store, { now: lagging })
      .run({ tenantId: r.emu.tenantId, since, until })
    const ledger = await store.ledger()
    const expired = Object.values(ledger.blobs).filter((b) => b.status === 'expired')
    expect(expired.length).toBeGreaterThan(0)
    expect(result.gaps).toBeGreaterThanOrEqual(expired.length)
    expect(r.log.lines.some((l) => l.includes('the API answered AF20051'))).toBe(true)
    expect(r.log.lines.some((l) => l.includes('contentExpiration'))).toBe(true)
    const hourOf = (iso: string): string =>
      new Date(Math.floor(Date.parse(iso) / HOUR) * HOUR).toISOString()
    const hours = coverage(ledger, { start: since, end: until }, r.emu.clock.now())
    for (const b of expired) {
      expect(hours.find((h) => h.hour === hourOf(b.contentCreated))?.status).toBe('gap')
    }
    // Everything still retrievable is stored exactly once; nothing comes from nowhere.
    const now = r.emu.clock.now()
    const alive = r.emu.groundTruth(new Date(now.getTime() - 7 * DAY), until, 'Audit.General')
    const everything = new Set(lower(r.emu.groundTruth(since, until, 'Audit.General')))
    const ids = await storedIds(store)
    expect(new Set(ids).size).toBe(ids.length)
    const stored = new Set(lower(ids))
    expect(lower(alive).filter((id) => !stored.has(id))).toEqual([])
    expect([...stored].filter((id) => !everything.has(id))).toEqual([])
    expect(result.windowRuleErrors).toBe(0)
    expect(
      r.emu
        .requestLog()
        .filter((e) => e.path.includes('/subscriptions/content') && e.status === 400)
    ).toEqual([])
  })

  it('starts a missing subscription and treats AF20024 as success', async () => {
    const r = await rig('clean')
    await r.emu.close()
    const emu = await startEmulator({
      scenario: { ...r.emu.scenario, preSubscribed: [] },
      seed: 2,
      now: NOW
    })
    cleanups.push(() => emu.close())
    emu.entra.setClientSecret(APP_ID, 'correct-horse')
    const auth = new AppOnlyAuth({
      clientId: APP_ID,
      tenantId: emu.tenantId,
      credential: { kind: 'secret', secret: 'correct-horse' },
      endpoints: {
        ...emu.urls,
        managementResource: CLOUDS.commercial.managementResource,
        graphResource: CLOUDS.commercial.graphResource,
        hasGraphAuditQuery: true
      },
      http: r.http,
      log: r.log
    })
    const engine = new SyncEngine({
      http: r.http,
      managementApiBase: emu.urls.managementApiBase,
      publisherId: PUBLISHER,
      token: async (resource) => (await auth.getAccessToken(resource)).token,
      sink: new MemorySink(),
      log: r.log,
      now: () => emu.clock.now()
    })
    const range = { tenantId: emu.tenantId, since: new Date(NOW.getTime() - HOUR), until: NOW }
    await engine.run(range)
    expect(r.log.lines.some((l) => l.includes('started the Audit.General subscription'))).toBe(true)
    const starts = emu.requestLog().filter((e) => e.path.includes('/subscriptions/start'))
    expect(starts.map((s) => s.status)).toEqual([200])
  })

  it('explains AF20023 (subscription disabled) in a clear error', async () => {
    const r = await rig('clean')
    // Stopped after a recent start: the engine starts it again within 15 minutes, which says
    // "enabled" while /content answers AF20023 for a while (management-api.md §2.5).
    const token = await r.token('management')
    const root = `${r.emu.urls.managementApiBase}/api/v1.0/${r.emu.tenantId}/activity/feed`
    for (const op of ['stop', 'start', 'stop']) {
      await r.http.send({
        method: 'POST',
        url: `${root}/subscriptions/${op}?contentType=Audit.General&PublisherIdentifier=${PUBLISHER}`,
        headers: { Authorization: `Bearer ${token}` },
        body: ''
      })
    }
    const run = r
      .engine(new MemorySink())
      .run({ tenantId: r.emu.tenantId, since: new Date(NOW.getTime() - HOUR), until: NOW })
    await expect(run).rejects.toMatchObject({ code: 'subscription', apiCode: 'AF20023' })
    await expect(run).rejects.toThrow(/disabled.*15 minutes/)
  })

  it('Graph history: beta after v1.0 is withdrawn, splits truncated queries, same records either way', async () => {
    const r = await rig('clean', clockSleep)
    r.emu.faults.set({ graphNotStartedSeconds: 2, graphRunSeconds: 10 })
    const since = new Date(NOW.getTime() - 9 * DAY)
    const until = new Date(NOW.getTime() - 7 * DAY)
    const whole = new MemorySink()
    const a = await r.engine(whole).run({ tenantId: r.emu.tenantId, since, until, history: true })
    expect(a.windows.failed).toBe(0)
    expect(whole.records.size).toBeGreaterThan(100)
    for (const rec of whole.records.values()) {
      expect(rec.provenance?.source).toMatch(/^graph:/)
    }
    r.emu.faults.set({ graphRecordLimit: Math.ceil(whole.records.size / 5) })
    const split = new MemorySink()
    const b = await r.engine(split).run({ tenantId: r.emu.tenantId, since, until, history: true })
    const ledger = await split.loadLedger()
    const queries = Object.values(ledger.queries)
    expect(queries.some((q) => q.status === 'split')).toBe(true)
    expect(
      queries.filter((q) => q.status === 'succeeded').every((q) => !q.isRecordCountLimitExceeded)
    ).toBe(true)
    expect(lower(split.records.keys())).toEqual(lower(whole.records.keys()))
    expect(b.windows.failed).toBe(0)
    expect(r.log.lines.some((l) => l.includes('(beta)'))).toBe(true)
    // Power Platform record types only by default.
    for (const rec of whole.records.values()) {
      expect([30, 45, 79, 187, 256]).toContain(rec.recordType)
    }
  })

  it('Graph history: a stopped run resumes the running query from its saved id and skip token', async () => {
    const r = await rig('clean', clockSleep)
    r.emu.faults.set({ graphNotStartedSeconds: 2, graphRunSeconds: 10, graphMaxTop: 100 })
    const since = new Date(NOW.getTime() - 8 * DAY)
    const until = new Date(NOW.getTime() - 7 * DAY - 12 * HOUR)
    const request = { tenantId: r.emu.tenantId, since, until, history: true }
    const whole = new MemorySink()
    await r.engine(whole).run(request)
    expect(whole.records.size).toBeGreaterThan(60)
    // Stop after the second page of records has been committed.
    const sink = new MemorySink()
    const stop = new AbortController()
    let pages = 0
    const stopping: SyncEngineOptions['sink'] = {
      loadLedger: () => sink.loadLedger(),
      commit: async (batch) => {
        const out = await sink.commit(batch)
        if (batch.records.length > 0 && ++pages === 2) {
          stop.abort()
        }
        return out
      }
    }
    await expect(r.engine(stopping).run(request, { signal: stop.signal })).rejects.toMatchObject({
      code: 'cancelled'
    })
    const saved = Object.values((await sink.loadLedger()).queries)
    expect(saved).toHaveLength(1)
    const [running] = saved
    expect(running).toMatchObject({ status: 'running', queryId: expect.any(String) })
    expect(running?.skipToken).toEqual(expect.any(String))
    expect(JSON.stringify(running)).not.toMatch(/https?:/)
    const created = (): number => r.log.lines.filter((l) => / \((beta|v1\.0)\)$/.test(l)).length
    const before = created()
    const resumed = await r.engine(sink).run(request)
    expect(created()).toBe(before)
    expect(
      r.log.lines.some((l) => l.includes(`${running?.queryId ?? '?'}`) && l.includes('resumed'))
    ).toBe(true)
    const ledger = await sink.loadLedger()
    expect(Object.values(ledger.queries).map((q) => [q.queryId, q.status])).toEqual([
      [running?.queryId, 'succeeded']
    ])
    expect(lower(sink.records.keys())).toEqual(lower(whole.records.keys()))
    expect([...sink.duplicates.values()].reduce((a, b) => a + b, 0)).toBe(0)
    expect(resumed.windows.failed).toBe(0)
  })

  it('Graph history: a query that ends failed once is created again and the day completes', async () => {
    const r = await rig('clean', clockSleep)
    r.emu.faults.set({ graphNotStartedSeconds: 1, graphRunSeconds: 5 })
    const request = {
      tenantId: r.emu.tenantId,
      since: new Date('2026-11-11T00:00:00Z'),
      until: new Date('2026-11-12T00:00:00Z'),
      history: true
    }
    const clean = new MemorySink()
    await r.engine(clean).run(request)
    r.emu.faults.set({
      graphQueryFaults: [
        { from: '2026-11-11T00:00:00Z', to: '2026-11-12T00:00:00Z', fault: 'failed', times: 1 }
      ]
    })
    const sink = new MemorySink()
    const result = await r.engine(sink).run(request)
    expect(result.windows).toEqual({ complete: 1, partial: 0, failed: 0 })
    expect(lower(sink.records.keys())).toEqual(lower(clean.records.keys()))
    const [query] = Object.values((await sink.loadLedger()).queries)
    expect(query).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(r.log.lines.some((l) => /ended 'failed'.*Creating it again/.test(l))).toBe(true)
  })

  it('Graph history: a day whose query always fails is recorded with the reason; the other days complete; the next run fills it', async () => {
    const r = await rig('clean', clockSleep)
    r.emu.faults.set({ graphNotStartedSeconds: 1, graphRunSeconds: 5 })
    const request = {
      tenantId: r.emu.tenantId,
      since: new Date('2026-11-10T00:00:00Z'),
      until: new Date('2026-11-13T00:00:00Z'),
      history: true
    }
    const clean = new MemorySink()
    await r.engine(clean).run(request)
    r.emu.faults.set({
      graphQueryFaults: [
        { from: '2026-11-11T00:00:00Z', to: '2026-11-12T00:00:00Z', fault: 'cancelled' }
      ]
    })
    const store = await tempStore()
    const result = await r.engine(store).run(request)
    expect(result.windows).toEqual({ complete: 2, partial: 0, failed: 1 })
    const ledger = await store.ledger()
    const failedDay = Object.values(ledger.windows).find((w) => w.status !== 'complete')
    expect(failedDay).toMatchObject({
      start: '2026-11-11T00:00:00.000Z',
      status: 'failed',
      lastError: { code: 'graph-query-failed' }
    })
    expect(failedDay?.lastError?.message).toMatch(/ended 'cancelled' on the server/)
    const [failedQuery] = Object.values(ledger.queries).filter((q) => q.status === 'failed')
    expect(failedQuery).toMatchObject({ attempts: 3, start: '2026-11-11T00:00:00.000Z' })
    // Every record of the other two days is stored; none of the failed day's.
    const expected = [...clean.records.values()].filter(
      (x) => new Date(x.createdAt).toISOString().slice(0, 10) !== '2026-11-11'
    )
    expect(lower(await storedIds(store))).toEqual(lower(expected.map((x) => x.id)))
    // Coverage names the failed hours and why; the rest is complete.
    const hours = coverage(ledger, { start: request.since, end: request.until }, NOW)
    expect(hours.filter((h) => h.status === 'partial').map((h) => h.hour.slice(0, 10))).toEqual(
      Array<string>(24).fill('2026-11-11')
    )
    expect(hours.find((h) => h.status === 'partial')?.reason).toMatch(/cancelled/)
    expect(hours.filter((h) => h.status === 'complete')).toHaveLength(48)

    // The service recovers: the next run queries only the failed day and completes it.
    r.emu.faults.set({ graphQueryFaults: [] })
    const again = await r.engine(store).run(request)
    expect(again.windows).toEqual({ complete: 3, partial: 0, failed: 0 })
    expect(again.new).toBe(clean.records.size - expected.length)
    expect(lower(await storedIds(store))).toEqual(lower(clean.records.keys()))
  })

  it('Management: a window whose listing keeps failing is recorded failed; the other days complete', async () => {
    const r = await rig('clean')
    const since = new Date(NOW.getTime() - 3 * DAY)
    const request = { tenantId: r.emu.tenantId, since, until: new Date(NOW.getTime() - HOUR) }
    r.emu.faults.set({
      listingFaults: [{ from: '2026-11-18T00:00:00Z', to: '2026-11-19T00:00:00Z', fault: '503' }]
    })
    const sink = new MemorySink()
    const result = await r.engine(sink, { maxAttempts: 2 }).run(request)
    expect(result.windows.failed).toBe(1)
    expect(result.windows.complete).toBe(3)
    const ledger = await sink.loadLedger()
    const failed = Object.values(ledger.windows).filter((w) => w.status === 'failed')
    expect(failed.map((w) => w.start.slice(0, 10))).toEqual(['2026-11-18'])
    expect(failed[0]?.lastError?.code).toBe('HTTP_503')
    const truth = r.emu.groundTruth(since, request.until, 'Audit.General')
    const missed = r.emu.groundTruth(
      new Date('2026-11-18T00:00:00Z'),
      new Date('2026-11-19T00:00:00Z'),
      'Audit.General'
    )
    const stored = new Set(lower(sink.records.keys()))
    expect(lower(truth).filter((id) => !stored.has(id) && !missed.has(id))).toEqual([])

    // Next run: the listing fails once more and is retried; the window completes.
    r.emu.faults.set({
      listingFaults: [
        { from: '2026-11-18T00:00:00Z', to: '2026-11-19T00:00:00Z', fault: '503', times: 1 }
      ]
    })
    const again = await r.engine(sink, { maxAttempts: 2 }).run(request)
    expect(again.windows).toMatchObject({ failed: 0, partial: 0 })
    expect(lower(sink.records.keys())).toEqual(lower(truth))
  })

  it('demo: after a full 7-day sync only the hours too recent to settle are pending, each saying when', async () => {
    const r = await rig('demo')
    const since = reachableSince(7 * 24, NOW)
    const sink = new MemorySink()
    await r.engine(sink).run({ tenantId: r.emu.tenantId, since, until: NOW })
    const hours = coverage(
      await sink.loadLedger(),
      { start: since, end: NOW, tenantId: r.emu.tenantId },
      r.emu.clock.now()
    )
    const pending = hours.filter((h) => h.status === 'pending')
    // The range ends on the hour (12:00): only the hour that ended less than the settle delay
    // before the listing is pending (with an hour in progress, that one would be too).
    expect(pending.map((h) => h.hour)).toEqual(['2026-11-20T11:00:00.000Z'])
    expect(pending[0]?.reason).toMatch(/a sync after 2026-11-20 12:15 UTC settles it/)
    expect(hours.filter((h) => h.status !== 'pending').every((h) => h.status === 'complete')).toBe(
      true
    )
    expect(hours).toHaveLength(7 * 24)
  }, 60_000)

  it('records the part older than 7 days as a gap without --history', async () => {
    const r = await rig('clean')
    const sink = new MemorySink()
    const since = new Date(NOW.getTime() - 8 * DAY)
    const result = await r
      .engine(sink)
      .run({ tenantId: r.emu.tenantId, since, until: new Date(NOW.getTime() - 6 * DAY) })
    expect(result.gaps).toBeGreaterThan(0)
    const hours = coverage(
      await sink.loadLedger(),
      { start: since, end: new Date(since.getTime() + 3 * HOUR) },
      NOW
    )
    expect(hours.map((h) => h.status)).toEqual(['gap', 'gap', 'gap'])
    // The day the 7-day edge falls in: out of reach before it, listed and complete after it.
    const edgeDay = coverage(
      await sink.loadLedger(),
      { start: new Date('2026-11-13T10:00:00Z'), end: new Date('2026-11-13T15:00:00Z') },
      NOW
    )
    expect(edgeDay.map((h) => h.status)).toEqual(['gap', 'gap', 'gap', 'complete', 'complete'])
    expect(edgeDay[2]?.reason).toMatch(/^partly out of reach/)
    expectRulesKept(r.emu, result.windowRuleErrors)
  })
})
