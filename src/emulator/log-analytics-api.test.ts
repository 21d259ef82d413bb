import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { CLOUDS, graphAuditScope, logAnalyticsScope } from '../shared/clouds'

import { call, userToken } from './test-support/emulator-client'

import { startEmulator } from './index'
import type { Emulator } from './index'

const NOW = new Date('2026-06-01T00:00:00Z')
const DAY_START = '2026-05-20T00:00:00.000Z'
const DAY_END = '2026-05-21T00:00:00.000Z'

interface Answer {
  status: number
  headers: Record<string, unknown>
  json: {
    tables?: Array<{
      name: string
      columns: Array<{ name: string; type: string }>
      rows: unknown[][]
    }>
    error?: { code: string; message: string; details?: Array<{ innererror?: { message: string } }> }
  }
}

let emu: Emulator
let token: string

beforeAll(async () => {
  emu = await startEmulator({ scenario: 'clean', now: NOW, seed: 31 })
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  token = await userToken(emu, emu.users.admin.upn, logAnalyticsScope(CLOUDS.commercial))
})

afterAll(() => emu.close())

beforeEach(() => emu.logAnalytics.setLimits({ maxRows: 500_000, maxBytes: 64 * 1024 * 1024 }))

async function query(
  body: unknown,
  t: string | null = token,
  ws = emu.workspaceId
): Promise<Answer> {
  const res = await call(emu, `${emu.urls.logAnalyticsBase}/v1/workspaces/${ws}/query`, {
    ...(t !== null ? { token: t } : {}),
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  })
  return {
    status: res.status,
    headers: res.headers as Record<string, unknown>,
    json: JSON.parse(res.text) as Answer['json']
  }
}

const window = `TimeGenerated >= datetime(${DAY_START}) and TimeGenerated < datetime(${DAY_END})`

describe('fake Log Analytics query API', () => {
  it('answers getschema with the documented PowerPlatformAdminActivity columns', async () => {
    const res = await query({ query: 'PowerPlatformAdminActivity | getschema' })
    expect(res.status).toBe(200)
    const table = res.json.tables?.[0]
    expect(table?.columns.map((c) => c.name)).toEqual([
      'ColumnName',
      'ColumnOrdinal',
      'DataType',
      'ColumnType'
    ])
    const names = table?.rows.map((r) => r[0])
    for (const column of [
      'TimeGenerated',
      'EventOriginalUid',
      'EventOriginalType',
      'ActorName',
      'PropertyCollection'
    ]) {
      expect(names).toContain(column)
    }
  })

  it('counts by hour what the rows query returns, and the rows carry the UAL Ids', async () => {
    const counts = await query({
      query: `PowerPlatformAdminActivity | where ${window} | summarize count() by bin(TimeGenerated, 1h)`
    })
    expect(counts.json.tables?.[0]?.columns).toEqual([
      { name: 'TimeGenerated', type: 'datetime' },
      { name: 'count_', type: 'long' }
    ])
    const total = (counts.json.tables?.[0]?.rows ?? []).reduce((n, r) => n + Number(r[1]), 0)
    const rows = await query({
      query: `PowerPlatformAdminActivity | where ${window} | sort by TimeGenerated asc`,
      timespan: `${DAY_START}/${DAY_END}`
    })
    const table = rows.json.tables?.[0]
    expect(rows.json.error).toBeUndefined()
    expect(table?.rows.length).toBe(total)
    const idAt = table?.columns.findIndex((c) => c.name === 'EventOriginalUid') ?? -1
    const truth = emu.logAnalytics.groundTruth(
      'PowerPlatformAdminActivity',
      new Date(DAY_START),
      new Date(DAY_END)
    )
    expect(total).toBe(truth.size)
    expect(new Set(table?.rows.map((r) => r[idAt]))).toEqual(truth)
    // Dynamic columns travel as JSON text, as the service sends them.
    const pcAt = table?.columns.findIndex((c) => c.name === 'PropertyCollection') ?? -1
    expect(typeof table?.rows[0]?.[pcAt]).toBe('string')
  })

  it('cuts an answer over the row limit and says so with a PartialError', async () => {
    emu.logAnalytics.setLimits({ maxRows: 10 })
    const res = await query({ query: `PowerPlatformAdminActivity | where ${window}` })
    expect(res.status).toBe(200)
    expect(res.json.tables?.[0]?.rows).toHaveLength(10)
    expect(res.json.error?.code).toBe('PartialError')
    expect(res.json.error?.details?.[0]?.innererror?.message).toContain(
      'exceed the set limit of 10 records'
    )
  })

  it('cuts an answer over the size limit', async () => {
    emu.logAnalytics.setLimits({ maxBytes: 20_000 })
    const res = await query({ query: `PowerPlatformAdminActivity | where ${window}` })
    expect(res.json.error?.code).toBe('PartialError')
    expect(JSON.stringify(res.json.tables?.[0]?.rows).length).toBeLessThanOrEqual(20_000)
  })

  it('refuses what it cannot run: unknown tables and KQL outside the subset', async () => {
    const unknown = await query({ query: 'SigninLogs | take 1' })
    expect(unknown.status).toBe(400)
    expect(unknown.json.error?.code).toBe('BadArgumentError')
    const outside = await query({ query: 'PowerAppsActivity | project ActorName' })
    expect(outside.status).toBe(400)
  })

  it('answers 401 without a token or with another audience, 403 without workspace access', async () => {
    expect((await query({ query: 'PowerAppsActivity | count' }, null)).status).toBe(401)
    const graphToken = await userToken(emu, emu.users.admin.upn, graphAuditScope(CLOUDS.commercial))
    const wrong = await query({ query: 'PowerAppsActivity | count' }, graphToken)
    expect(wrong.status).toBe(401)
    expect(wrong.json.error?.code).toBe('AuthorizationRequiredError')
    const reader = await userToken(emu, emu.users.reader.upn, logAnalyticsScope(CLOUDS.commercial))
    const denied = await query({ query: 'PowerAppsActivity | count' }, reader)
    expect(denied.status).toBe(403)
    expect(denied.json.error?.code).toBe('InsufficientAccessError')
    const otherWorkspace = await query(
      { query: 'PowerAppsActivity | count' },
      token,
      '11111111-2222-4333-8444-555555555555'
    )
    expect(otherWorkspace.status).toBe(403)
  })

  it('answers scripted 429 with Retry-After and 504 with a OneAPI error body', async () => {
    emu.logAnalytics.failNext([{ status: 429, retryAfterSeconds: 7 }, { status: 504 }])
    const throttled = await query({ query: `PowerAppsActivity | where ${window}` })
    expect(throttled.status).toBe(429)
    expect(throttled.headers['retry-after']).toBe('7')
    expect(throttled.json.error?.code).toBe('ThrottledError')
    const timeout = await query({ query: `PowerAppsActivity | where ${window}` })
    expect(timeout.status).toBe(504)
    expect(timeout.json.error?.code).toBe('GatewayTimeout')
    expect((await query({ query: `PowerAppsActivity | where ${window}` })).status).toBe(200)
  })
})
