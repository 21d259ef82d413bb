import { join } from 'node:path'

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { FileStore } from '../../main/services/store/file-store'
import { coverage } from '../../shared/acquisition'

import { DB, SINCE, startAdxKit, UNTIL } from './adx-test-kit'
import type { AdxKit } from './adx-test-kit'

const TABLE = 'PowerPlatformAudit'

describe('cax pull --source adx (against the fake Kusto cluster over HTTPS)', () => {
  let kit: AdxKit
  let truth: Set<string>

  beforeAll(async () => {
    kit = await startAdxKit()
    kit.emu.kusto.seedTable(DB, TABLE, SINCE, UNTIL)
    truth = kit.emu.kusto.groundTruth(DB, TABLE, SINCE, UNTIL)
  }, 120_000)

  afterAll(async () => {
    await kit?.close()
  })

  beforeEach(() => {
    kit.emu.kusto.setLimits({ maxRows: 500_000, maxBytes: 64 * 1024 * 1024 })
  })

  it('reads a month exactly once in windows that never truncate; a second pull stores 0 new', async () => {
    expect(truth.size).toBeGreaterThan(10_000)
    kit.emu.kusto.setLimits({ maxRows: 800 })
    const before = kit.emu.kusto.requests().length
    const first = await kit.pull('month', ['--max-rows', '800'])
    expect(first.err).not.toMatch(/eyJ/)
    expect(first.code).toBe(0)
    const sent = kit.emu.kusto.requests().slice(before)
    expect(sent.every((r) => r.hadAuthorization && r.endpoint === 'query')).toBe(true)
    expect(sent.filter((r) => r.partial)).toEqual([])
    expect(sent.some((r) => r.csl === `${TABLE} | getschema`)).toBe(true)
    expect(sent.some((r) => r.csl.includes('summarize count() by bin(TimeGenerated, 1h)'))).toBe(
      true
    )
    const reads = sent.filter((r) => r.csl.includes('| sort by TimeGenerated'))
    expect(Math.max(...reads.map((r) => r.rows))).toBeLessThanOrEqual(400)
    expect(first.summary.splits).toBe(0)
    expect(first.summary.new).toBe(truth.size)
    const ids = await kit.storedIds('month')
    expect(ids.length).toBe(truth.size)
    expect(new Set(ids)).toEqual(truth)

    const store = await FileStore.open(join(kit.dir, 'month'))
    const ledger = await store.ledger()
    await store.close()
    expect(Object.values(ledger.windows).every((w) => w.source === 'adx')).toBe(true)
    const hours = coverage(ledger, { start: SINCE, end: UNTIL, source: 'adx' }, UNTIL)
    expect(hours).toHaveLength(31 * 24)
    expect(hours.filter((h) => h.status !== 'complete')).toEqual([])

    const again = await kit.pull('month', ['--max-rows', '800'])
    expect(again.code).toBe(0)
    expect(again.summary.new).toBe(0)
    expect((again.summary.windows as { skipped: number }).skipped).toBe(31)
    expect(again.summary.stored).toBe(truth.size)
  })

  it('keeps the raw record byte for byte', async () => {
    const week = { since: '2026-05-01T00:00:00Z', until: '2026-05-02T00:00:00Z' }
    const r = await kit.pull('raw', ['--since', week.since, '--until', week.until])
    expect(r.code).toBe(0)
    const store = await FileStore.open(join(kit.dir, 'raw'))
    let checked = 0
    try {
      for await (const record of store.records()) {
        expect(JSON.parse(record.raw).Id).toBe(record.id)
        checked++
      }
    } finally {
      await store.close()
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('splits an answer the cluster cut (truncation limit it did not announce) and loses nothing', async () => {
    // The client plans for 500,000 rows; the cluster cuts at 150.
    kit.emu.kusto.setLimits({ maxRows: 150 })
    const since = '2026-05-10T00:00:00Z'
    const until = '2026-05-12T00:00:00Z'
    const r = await kit.pull('cut', ['--since', since, '--until', until])
    expect(r.code).toBe(0)
    expect(r.summary.splits as number).toBeGreaterThan(0)
    const expected = kit.emu.kusto.groundTruth(DB, TABLE, new Date(since), new Date(until))
    expect(new Set(await kit.storedIds('cut'))).toEqual(expected)
  })

  it('splits on an in-stream partial failure and waits out a 429 Retry-After', async () => {
    kit.emu.kusto.failNext([
      { on: 'rows', partialError: true },
      { on: 'rows', status: 429, retryAfterSeconds: 1 }
    ])
    const since = '2026-05-20T00:00:00Z'
    const until = '2026-05-21T00:00:00Z'
    const before = kit.emu.kusto.requests().length
    const r = await kit.pull('faults', ['--since', since, '--until', until])
    expect(r.code).toBe(0)
    expect(r.summary.throttled).toBe(1)
    expect(r.summary.splits).toBe(1)
    const log = kit.emu.kusto.requests().slice(before)
    expect(log.some((q) => q.status === 429)).toBe(true)
    expect(new Set(await kit.storedIds('faults'))).toEqual(
      kit.emu.kusto.groundTruth(DB, TABLE, new Date(since), new Date(until))
    )
  })

  it('refreshes an expired token once (401 from the cluster) and goes on', async () => {
    const { client, tokenCalls } = kit.client()
    const count = `${TABLE} | where TimeGenerated >= datetime(2026-05-25T00:00:00.000Z) and TimeGenerated < datetime(2026-05-26T00:00:00.000Z) | count`
    const first = await client.query(DB, count)
    // The cached token is now expired by the cluster's clock.
    kit.emu.clock.advance(3 * 3_600_000)
    const before = kit.emu.kusto.requests().length
    const second = await client.query(DB, count)
    expect(second.table.rows).toEqual(first.table.rows)
    expect(tokenCalls).toEqual([false, false, true])
    expect(
      kit.emu.kusto
        .requests()
        .slice(before)
        .map((r) => r.status)
    ).toEqual([401, 200])
  })

  it('stops with exit 4 when the principal has no role on the database', async () => {
    kit.emu.kusto.setRole(`aadapp=5c4b3a29-1111-4222-8333-944455556666`, 'none')
    try {
      const r = await kit.pull('denied', [
        '--since',
        '2026-05-02T00:00:00Z',
        '--until',
        '2026-05-03T00:00:00Z'
      ])
      expect(r.code).toBe(4)
      expect(r.err).toMatch(/Forbidden/)
    } finally {
      kit.emu.kusto.setRole(`aadapp=5c4b3a29-1111-4222-8333-944455556666`, 'admin')
    }
  })

  it('refuses a cluster that is not https and a bad database name (exit 2)', async () => {
    expect((await kit.pull('bad', ['--cluster', 'http://127.0.0.1:1/kusto'])).code).toBe(2)
    expect((await kit.pull('bad', ['--database', 'x;drop'])).code).toBe(2)
    const otherCloud = await kit.pull('bad', [
      '--cluster',
      'https://c1.usgovvirginia.kusto.usgovcloudapi.net'
    ])
    expect(otherCloud.code).toBe(2)
    expect(otherCloud.err).toMatch(/GCC High cloud/)
  })
})
