import { tmpdir } from 'node:os'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import type { Emulator } from '../../emulator'
import { testCertificates } from '../../emulator/certs'
import { BearerHttp } from '../../main/services/audit-api/bearer-http'
import {
  tokenDestination,
  TokenDestinationError
} from '../../main/services/audit-api/token-destination'
import { HttpsClient } from '../../main/services/http/https-client'
import { LogAnalyticsClient } from '../../main/services/sources/log-analytics/log-analytics-client'
import { FileStore } from '../../main/services/store/file-store'
import { coverage } from '../../shared/acquisition'
import { memoryIo } from '../test-io'
import {
  startEmulatorKit,
  storedIds as idsIn,
  type EmulatorKit
} from '../test-support/emulator-kit'

import { run } from './pull'

const APP_ID = '7e6d5c4b-3333-4444-8555-a66667777888'
const SECRET = 'workspace-secret'
const TABLES = ['PowerPlatformAdminActivity', 'PowerAutomateActivity', 'PowerAppsActivity']
const SINCE = new Date('2026-05-01T00:00:00Z')
const UNTIL = new Date('2026-06-01T00:00:00Z')

interface Summary {
  records: number
  new: number
  duplicates: number
  rejected: number
  queries: number
  splits: number
  throttled: number
  windows: { complete: number; partial: number; failed: number; skipped: number }
  stored: number
}

describe('cax pull --source workspace (against the fake Log Analytics API over HTTPS)', () => {
  let kit: EmulatorKit | undefined
  let emu: Emulator
  let dir: string
  let caFile: string
  let truth: Set<string>

  beforeAll(async () => {
    kit = await startEmulatorKit({
      appId: APP_ID,
      secret: SECRET,
      eventsPerDay: 500,
      seed: 11,
      now: UNTIL,
      tmpPrefix: 'cax-pull-workspace-'
    })
    emu = kit.emu
    dir = kit.dir
    caFile = kit.caFile
    truth = new Set(TABLES.flatMap((t) => [...emu.logAnalytics.groundTruth(t, SINCE, UNTIL)]))
  }, 120_000)

  afterAll(async () => {
    await kit?.close()
  })

  beforeEach(() => {
    emu.logAnalytics.setLimits({ maxRows: 500_000, maxBytes: 64 * 1024 * 1024 })
  })

  const args = (store: string, extra: string[] = []): string[] => [
    '--source',
    'workspace',
    '--store',
    join(dir, store),
    '--tenant',
    emu.tenantId,
    '--workspace-id',
    emu.workspaceId,
    '--tables',
    TABLES.join(','),
    '--since',
    SINCE.toISOString(),
    '--until',
    UNTIL.toISOString(),
    '--client-id',
    APP_ID,
    '--client-secret-env',
    'CAX_WS_SECRET',
    '--workspace-api-base',
    emu.urls.logAnalyticsBase,
    '--authority-host',
    emu.urls.authorityHost,
    '--ca-file',
    caFile,
    '--json',
    ...extra
  ]

  const pull = async (
    store: string,
    extra: string[] = []
  ): Promise<{ code: number; summary: Summary; err: string }> => {
    const io = memoryIo(tmpdir(), { CAX_WS_SECRET: SECRET })
    const code = await run(args(store, extra), io)
    const last = io.out().trim().split('\n').pop() ?? '{}'
    return { code, summary: JSON.parse(last) as Summary, err: io.err() }
  }

  const storedIds = (store: string): Promise<string[]> => idsIn(join(dir, store))

  it('reads a month in windows that never hit the limit, exactly once; a second pull stores 0 new', async () => {
    expect(truth.size).toBeGreaterThan(5000)
    // Small limits in the fake, told to the client: the planner must keep every answer under them.
    emu.logAnalytics.setLimits({ maxRows: 600 })
    const before = emu.logAnalytics.requests().length
    const first = await pull('month', ['--max-rows', '600'])
    expect(first.err).not.toMatch(/eyJ/)
    expect(first.code).toBe(0)
    const sent = emu.logAnalytics.requests().slice(before)
    expect(sent.filter((r) => r.partial)).toEqual([])
    const reads = sent.filter((r) => r.query.includes('| sort by TimeGenerated'))
    expect(reads.length).toBeGreaterThan(31 * TABLES.length)
    expect(Math.max(...reads.map((r) => r.rows))).toBeLessThanOrEqual(300)
    expect(sent.some((r) => r.query.includes('| getschema'))).toBe(true)
    expect(sent.some((r) => r.query.includes('summarize count() by bin(TimeGenerated, 1h)'))).toBe(
      true
    )
    expect(first.summary.splits).toBe(0)
    expect(first.summary.new).toBe(truth.size)
    expect(first.summary.windows.complete).toBe(31 * TABLES.length)
    const ids = await storedIds('month')
    expect(ids.length).toBe(truth.size)
    expect(new Set(ids)).toEqual(truth)

    // Every hour of the month is covered by the workspace source.
    const store = await FileStore.open(join(dir, 'month'))
    const ledger = await store.ledger()
    await store.close()
    const hours = coverage(ledger, { start: SINCE, end: UNTIL, source: 'workspace' }, new Date())
    expect(hours).toHaveLength(31 * 24)
    expect(hours.filter((h) => h.status !== 'complete')).toEqual([])

    const again = await pull('month', ['--max-rows', '600'])
    expect(again.code).toBe(0)
    expect(again.summary.new).toBe(0)
    expect(again.summary.windows.skipped).toBe(31 * TABLES.length)
    expect(again.summary.stored).toBe(truth.size)
  })

  it('reads OfficeActivity (UAL Id in OfficeId) beside PowerPlatformAdminActivity and stores each UAL Id once', async () => {
    const until = new Date('2026-05-04T00:00:00Z')
    const admin = emu.logAnalytics.groundTruth('PowerPlatformAdminActivity', SINCE, until)
    const office = emu.logAnalytics.groundTruth('OfficeActivity', SINCE, until)
    const both = [...office].filter((id) => admin.has(id))
    // The fake files admin records in both tables, as the two connectors do.
    expect(both.length).toBeGreaterThan(0)
    expect(office.size).toBeGreaterThan(both.length)
    const result = await pull('office', [
      '--tables',
      'PowerPlatformAdminActivity,OfficeActivity',
      '--until',
      until.toISOString()
    ])
    expect(result.code, result.err).toBe(0)
    expect(result.summary.records).toBe(admin.size + office.size)
    expect(result.summary.duplicates).toBe(both.length)
    const ids = await storedIds('office')
    expect(ids.length).toBe(new Set([...admin, ...office]).size)
    expect(new Set(ids)).toEqual(new Set([...admin, ...office]))
    // A record read from OfficeActivity carries its table and Office column names.
    const store = await FileStore.open(join(dir, 'office'))
    try {
      for await (const r of store.records()) {
        if (office.has(r.id) && !admin.has(r.id)) {
          expect(r.operation).not.toBe('')
          expect(r.userId).not.toBe('')
          expect(JSON.parse(r.raw)).toMatchObject({ SourceTable: 'OfficeActivity', OfficeId: r.id })
          break
        }
      }
    } finally {
      await store.close()
    }
  })

  it('counts repeats as duplicates when an overlapping range is read again', async () => {
    const first = await pull('overlap', ['--until', '2026-05-03T12:00:00Z'])
    expect(first.code).toBe(0)
    // The last day was read only up to noon, so the second pull reads that day again.
    const second = await pull('overlap', ['--until', '2026-05-04T00:00:00Z'])
    expect(second.code).toBe(0)
    const lastDayNoon = TABLES.reduce(
      (n, t) =>
        n +
        emu.logAnalytics.groundTruth(
          t,
          new Date('2026-05-03T00:00:00Z'),
          new Date('2026-05-03T12:00:00Z')
        ).size,
      0
    )
    expect(second.summary.duplicates).toBe(lastDayNoon)
    const expected = TABLES.reduce(
      (n, t) => n + emu.logAnalytics.groundTruth(t, SINCE, new Date('2026-05-04T00:00:00Z')).size,
      0
    )
    expect(second.summary.stored).toBe(expected)
    expect((await storedIds('overlap')).length).toBe(expected)
  })

  it('splits and reads again when an answer comes back cut, never keeping the cut rows', async () => {
    // The fake's limit is lower than the client believes: answers come back as PartialError.
    emu.logAnalytics.setLimits({ maxRows: 50 })
    const before = emu.logAnalytics.requests().length
    const cut = await pull('cut', ['--until', '2026-05-04T00:00:00Z'])
    expect(cut.code).toBe(0)
    expect(cut.summary.splits).toBeGreaterThan(0)
    expect(
      emu.logAnalytics
        .requests()
        .slice(before)
        .some((r) => r.partial)
    ).toBe(true)
    const expected = new Set(
      TABLES.flatMap((t) => [
        ...emu.logAnalytics.groundTruth(t, SINCE, new Date('2026-05-04T00:00:00Z'))
      ])
    )
    const ids = await storedIds('cut')
    expect(ids.length).toBe(expected.size)
    expect(new Set(ids)).toEqual(expected)
    expect(cut.err).toContain('came back cut')
  })

  it('splits on an engine PartialError and waits out a 429 Retry-After', async () => {
    emu.logAnalytics.failNext([{ partialError: true }, { status: 429, retryAfterSeconds: 1 }])
    const result = await pull('faults', ['--until', '2026-05-02T00:00:00Z'])
    expect(result.code).toBe(0)
    expect(result.summary.splits).toBe(1)
    expect(result.summary.throttled).toBe(1)
    const expected = new Set(
      TABLES.flatMap((t) => [
        ...emu.logAnalytics.groundTruth(t, SINCE, new Date('2026-05-02T00:00:00Z'))
      ])
    )
    expect(new Set(await storedIds('faults'))).toEqual(expected)
  })

  it('records a window that keeps failing (504) and exits 3; the next pull fills it in', async () => {
    emu.logAnalytics.failNext([{ status: 504 }, { status: 504 }])
    // One table, one day: the single data query fails twice (the client's attempts).
    const narrow = [
      '--tables',
      'PowerAutomateActivity',
      '--until',
      '2026-05-02T00:00:00Z',
      '--max-attempts',
      '2'
    ]
    const failed = await pull('gateway', narrow)
    expect(failed.code).toBe(3)
    expect(failed.summary.windows.partial).toBe(1)
    expect(failed.err).toContain('GatewayTimeout')
    const retry = await pull('gateway', narrow)
    expect(retry.code).toBe(0)
    expect(retry.summary.stored).toBe(
      emu.logAnalytics.groundTruth('PowerAutomateActivity', SINCE, new Date('2026-05-02T00:00:00Z'))
        .size
    )
  })

  it('refuses a bad workspace id and exits 4 without the workspace permission', async () => {
    const io = memoryIo(tmpdir(), { CAX_WS_SECRET: SECRET })
    const bad = args('bad').map((a) => (a === emu.workspaceId ? '../../graph/beta' : a))
    expect(await run(bad, io)).toBe(2)
    expect(io.err()).toContain('--workspace-id must be')
    const other = await pull('other', ['--workspace-id', '11111111-2222-4333-8444-555555555555'])
    expect(other.code).toBe(4)
    expect(other.err).toContain('InsufficientAccessError')
  })

  it('sends the token only to the configured base, never to another server', async () => {
    const certs = await testCertificates()
    const seen: Array<string | undefined> = []
    const elsewhere = createServer(
      { key: certs.serverKeyPem, cert: certs.serverCertPem },
      (req, res) => {
        seen.push(req.headers.authorization)
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end('{"tables":[{"name":"PrimaryResult","columns":[],"rows":[]}]}')
      }
    )
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve))
    const port = (elsewhere.address() as AddressInfo).port
    let asked = 0
    try {
      const client = new LogAnalyticsClient({
        http: new BearerHttp({
          http: new HttpsClient({ extraCaPem: emu.caCertPem }),
          destination: tokenDestination('the Log Analytics query API', emu.urls.logAnalyticsBase),
          token: async () => {
            asked++
            return 'secret-token'
          }
        }),
        base: `https://127.0.0.1:${port}/loganalytics`
      })
      await expect(
        client.query(emu.workspaceId, 'PowerAppsActivity | count', undefined)
      ).rejects.toBeInstanceOf(TokenDestinationError)
      expect(asked).toBe(0)
      expect(seen).toEqual([])
    } finally {
      elsewhere.close()
    }
    // And every request the pulls above made reached the fake with a token.
    expect(emu.logAnalytics.requests().every((r) => r.hadAuthorization)).toBe(true)
  })
})
