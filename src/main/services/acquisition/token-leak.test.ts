/**
 * The token-leak attacks of issue 10, each against a real sync on the emulator with a second
 * loopback HTTPS server as the attacker's host: a crafted ledger (as a snapshot import or the UI
 * side would deliver it) and links a spoofed service hands back must never make main send a
 * token anywhere but the configured API base.
 */
import { afterEach, describe, expect, it } from 'vitest'

import { startEmulator } from '../../../emulator'
import type { Emulator } from '../../../emulator'
import { applyDelta, blobKey, LedgerSchema, queryKey } from '../../../shared/acquisition'
import type { Ledger, LedgerQuery } from '../../../shared/acquisition'
import { CLOUDS } from '../../../shared/clouds'
import { AppOnlyAuth } from '../auth/app-only-auth'
import { HttpsClient, isLoopbackHost } from '../http/https-client'
import { startRecordingServer, type RecordingServer } from '../http/recording-server'
import { MemoryLogger } from '../logging/logger'

import { MemorySink } from './memory-sink'
import { SyncEngine } from './sync-engine'
import type { SyncEngineOptions } from './sync-engine'
import type { Sleep } from './token-bucket'
import type { RecordSink, TokenProvider } from './types'

const APP_ID = '5d1f0a4e-2222-4333-8444-955556666777'
const PUBLISHER = '9a8b7c6d-1111-4222-8333-944445555666'
const NOW = new Date('2026-11-20T12:00:00Z')
const HOUR = 3_600_000
const DAY = 86_400_000

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) {
    await c()
  }
})

interface Rig {
  emu: Emulator
  attacker: RecordingServer
  log: MemoryLogger
  /** Every token request, with its forceRefresh flag. */
  tokenCalls: Array<{ resource: string; force: boolean }>
  engine(sink: RecordSink, extra?: Partial<SyncEngineOptions>): SyncEngine
}

async function rig(): Promise<Rig> {
  const emu = await startEmulator({ scenario: 'clean', seed: 5, now: NOW })
  const attacker = await startRecordingServer(401)
  cleanups.push(
    () => emu.close(),
    () => attacker.close()
  )
  emu.entra.setClientSecret(APP_ID, 'correct-horse')
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  // Trusts the emulator's CA and allows every loopback host: the attacker is reachable.
  const http = new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost })
  const log = new MemoryLogger()
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
    http,
    log
  })
  const tokenCalls: Rig['tokenCalls'] = []
  const token: TokenProvider = async (resource, force) => {
    tokenCalls.push({ resource, force: force === true })
    return (await auth.getAccessToken(resource)).token
  }
  // Waiting moves the emulator's clock (Graph queries run on it).
  const sleep: Sleep = async (ms) => {
    emu.clock.advance(ms)
    await new Promise((r) => setImmediate(r))
  }
  return {
    emu,
    attacker,
    log,
    tokenCalls,
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
        sleep,
        ...extra
      })
  }
}

/**
 * A sink that starts from a crafted ledger, parsed with the same schema `acquire:start` and the
 * snapshot reader apply, so it holds exactly what could arrive from outside main.
 */
function craftedSink(crafted: unknown): RecordSink & { ledger: Ledger } {
  const sink = new MemorySink()
  const ledger = LedgerSchema.parse(crafted)
  return {
    ledger,
    loadLedger: async () => structuredClone(ledger),
    commit: async (batch) => {
      applyDelta(ledger, structuredClone(batch.ledger))
      return sink.commit(batch)
    }
  }
}

function pendingBlob(
  tenantId: string,
  contentId: string,
  contentUri: string
): Record<string, unknown> {
  const created = new Date(NOW.getTime() - 5 * HOUR)
  return {
    key: blobKey(tenantId, contentId),
    tenantId,
    contentType: 'Audit.General',
    contentId,
    contentUri,
    contentCreated: created.toISOString(),
    contentExpiration: new Date(created.getTime() + 7 * DAY).toISOString(),
    windowKey: `management|${tenantId.toLowerCase()}|Audit.General|2026-11-20T00:00:00.000Z`,
    status: 'pending',
    received: 0,
    new: 0,
    duplicate: 0,
    rejected: 0,
    attempts: 0,
    lastError: null,
    listedAt: created.toISOString(),
    finishedAt: null
  }
}

/** Nothing reached the attacker's host: no request, so no Authorization header either. */
function expectNoLeak(r: Rig): void {
  expect(r.attacker.requests.filter((q) => q.authHeader !== undefined)).toEqual([])
  expect(r.attacker.requests).toEqual([])
}

describe('tokens go only to the configured API base', () => {
  it('a crafted ledger with a pending blob on an attacker URL: the URL is never used', async () => {
    const r = await rig()
    const tenant = r.emu.tenantId
    const valid =
      '20261120065101000000000$20261120060000000000003$audit_general$Audit_General$emea0036'
    const hostile = 'x@127.0.0.1$evil/../../../../x'
    const sink = craftedSink({
      version: 1,
      windows: {},
      queries: {},
      blobs: {
        [blobKey(tenant, valid)]: pendingBlob(tenant, valid, `${r.attacker.origin}/x`),
        [blobKey(tenant, hostile)]: pendingBlob(tenant, hostile, `${r.attacker.origin}/y`)
      }
    })
    // What arrives from outside main carries no fetchable URL.
    expect(JSON.stringify(sink.ledger)).not.toContain(r.attacker.origin)
    await r.engine(sink).run({
      tenantId: tenant,
      since: new Date(NOW.getTime() - 2 * HOUR),
      until: new Date(NOW.getTime() - HOUR)
    })
    expectNoLeak(r)
    // The blob was asked for at the API base main built from its content id instead.
    const blobGets = r.emu.requestLog().filter((e) => e.path.includes('/audit/'))
    expect(blobGets.map((e) => decodeURIComponent(e.path))).toContainEqual(
      expect.stringContaining(`/manage/api/v1.0/${tenant}/activity/feed/audit/${valid}`)
    )
    // A content id that could steer the URL is refused, with a plain reason in the ledger.
    const refused = sink.ledger.blobs[blobKey(tenant, hostile)]
    expect(refused).toMatchObject({
      status: 'failed',
      lastError: { code: 'token-destination-refused' }
    })
    expect(refused?.lastError?.message).toMatch(/content id has characters .* never has/)
    expect(refused?.lastError?.message).toMatch(/nothing was requested/)
  })

  it('a contentUri the service hands back on another host is refused and recorded', async () => {
    const r = await rig()
    r.emu.faults.set({ foreignLinks: { base: r.attacker.origin, kinds: ['contentUri'] } })
    const sink = new MemorySink()
    const result = await r.engine(sink).run({
      tenantId: r.emu.tenantId,
      since: new Date(NOW.getTime() - 3 * HOUR),
      until: new Date(NOW.getTime() - HOUR)
    })
    expectNoLeak(r)
    // The gateway's 401 retry was never reached either: no fresh token was asked for.
    expect(r.tokenCalls.filter((c) => c.force)).toEqual([])
    const blobs = Object.values((await sink.loadLedger()).blobs)
    expect(blobs.length).toBeGreaterThan(0)
    for (const blob of blobs) {
      expect(blob.status).toBe('failed')
      expect(blob.lastError?.code).toBe('token-destination-refused')
      expect(blob.lastError?.message).toContain(`it points to ${r.attacker.origin}`)
    }
    expect(result.blobs.failed).toBe(blobs.length)
    expect(sink.records.size).toBe(0)
  })

  it('a NextPageUri the service hands back on another host is refused and recorded', async () => {
    const r = await rig()
    r.emu.faults.set({
      pageSize: 1,
      foreignLinks: { base: r.attacker.origin, kinds: ['nextPageUri'] }
    })
    const sink = new MemorySink()
    const result = await r.engine(sink).run({
      tenantId: r.emu.tenantId,
      since: new Date(NOW.getTime() - 3 * HOUR),
      until: new Date(NOW.getTime() - HOUR)
    })
    expectNoLeak(r)
    expect(result.windows.failed).toBeGreaterThan(0)
    const windows = Object.values((await sink.loadLedger()).windows)
    const failed = windows.filter((w) => w.status === 'failed')
    expect(failed.length).toBeGreaterThan(0)
    expect(failed[0]?.lastError?.code).toBe('token-destination-refused')
    expect(failed[0]?.lastError?.message).toContain(`it points to ${r.attacker.origin}`)
  })

  it('an @odata.nextLink Graph hands back on another host is refused and recorded', async () => {
    const r = await rig()
    r.emu.faults.set({
      graphNotStartedSeconds: 1,
      graphRunSeconds: 2,
      graphMaxTop: 20,
      foreignLinks: { base: r.attacker.origin, kinds: ['nextLink'] }
    })
    const sink = new MemorySink()
    const result = await r.engine(sink, { graphPageSize: 20 }).run({
      tenantId: r.emu.tenantId,
      since: new Date(NOW.getTime() - 8 * DAY),
      until: new Date(NOW.getTime() - 8 * DAY + 6 * HOUR),
      history: true
    })
    expectNoLeak(r)
    expect(result.windows.failed).toBeGreaterThan(0)
    const queries = Object.values((await sink.loadLedger()).queries)
    const failed = queries.filter((q) => q.status === 'failed')
    expect(failed.length).toBeGreaterThan(0)
    expect(failed[0]?.lastError?.code).toBe('token-destination-refused')
    // The first page came from Graph itself and was kept.
    expect(sink.records.size).toBeGreaterThan(0)
  })

  it('a crafted ledger with a running Graph query and an attacker nextLink: the link is never followed', async () => {
    const r = await rig()
    r.emu.faults.set({ graphNotStartedSeconds: 1, graphRunSeconds: 2 })
    const request = {
      tenantId: r.emu.tenantId,
      since: new Date(NOW.getTime() - 8 * DAY),
      until: new Date(NOW.getTime() - 8 * DAY + 6 * HOUR),
      history: true
    }
    // A real query the server knows, marked running with a planted next link.
    const honest = new MemorySink()
    await r.engine(honest).run(request)
    const [query] = Object.values((await honest.loadLedger()).queries)
    expect(query).toBeDefined()
    const planted: LedgerQuery & { nextLink: string } = {
      ...(query as LedgerQuery),
      status: 'running',
      received: 0,
      new: 0,
      duplicate: 0,
      rejected: 0,
      finishedAt: null,
      nextLink: `${r.attacker.origin}/graph/beta/security/auditLog/queries/x/records?$skiptoken=y`
    }
    const key = queryKey(
      r.emu.tenantId,
      'power-platform',
      Date.parse(planted.start),
      Date.parse(planted.end)
    )
    expect(planted.key).toBe(key)
    const sink = craftedSink({ version: 1, windows: {}, blobs: {}, queries: { [key]: planted } })
    expect(JSON.stringify(sink.ledger)).not.toContain(r.attacker.origin)
    const result = await r.engine(sink).run(request)
    expectNoLeak(r)
    expect(result.windows.failed).toBe(0)
    expect(sink.ledger.queries[key]?.status).toBe('succeeded')
    expect(
      r.log.lines.some((l) => l.includes(planted.queryId ?? '?') && l.includes('resumed'))
    ).toBe(true)
  })
})
