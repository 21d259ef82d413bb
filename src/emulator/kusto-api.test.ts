import { gzipSync } from 'node:zlib'

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { adxCreateMappingCommand, adxCreateTableCommand, adxRowOf } from '../shared/adx/adx-table'
import { normalizeRecord } from '../shared/audit'

import { call } from './test-support/emulator-client'

import { KUSTO_DEFAULT_DATABASE, KUSTO_LIMITS, startEmulator } from './index'
import type { Emulator } from './index'

const NOW = new Date('2026-06-01T00:00:00Z')
const APP = '1a2b3c4d-0000-4000-8000-000000000001'
const DB = KUSTO_DEFAULT_DATABASE

let emu: Emulator
let token: string

async function appToken(scope: string): Promise<string> {
  const res = await call(emu, `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: APP,
      client_secret: 's',
      scope
    }).toString()
  })
  return (JSON.parse(res.text) as { access_token: string }).access_token
}

beforeAll(async () => {
  emu = await startEmulator({ scenario: 'clean', now: NOW, seed: 41 })
  emu.entra.setClientSecret(APP, 's')
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  token = await appToken(`${new URL(emu.urls.kustoClusterUrl).origin}/.default`)
  emu.kusto.seedTable(
    DB,
    'Seeded',
    new Date('2026-05-20T00:00:00Z'),
    new Date('2026-05-21T00:00:00Z')
  )
})

afterAll(() => emu.close())

beforeEach(() => emu.kusto.setLimits(KUSTO_LIMITS))

const post = async (
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
  t: string | null = token
): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> => {
  const res = await call(emu, `${emu.urls.kustoClusterUrl}${path}`, {
    ...(t !== null ? { token: t } : {}),
    method: 'POST',
    headers,
    body
  })
  return {
    status: res.status,
    headers: res.headers as Record<string, unknown>,
    json: JSON.parse(res.text) as unknown
  }
}
type Answer = Awaited<ReturnType<typeof post>>
const query = (csl: string, t?: string | null): Promise<Answer> =>
  post('/v2/rest/query', JSON.stringify({ db: DB, csl }), undefined, t)
const mgmt = (csl: string): Promise<Answer> =>
  post('/v1/rest/mgmt', JSON.stringify({ db: DB, csl }))

type Frame = {
  FrameType: string
  TableKind?: string
  Rows?: unknown[]
  Columns?: Array<{ ColumnName: string }>
  HasErrors?: boolean
}

describe('fake Azure Data Explorer cluster', () => {
  it('answers a query with the v2 frames: header, properties, PrimaryResult, completion information, completion', async () => {
    const r = await query(
      `Seeded | where TimeGenerated >= datetime(2026-05-20T00:00:00Z) and TimeGenerated < datetime(2026-05-20T06:00:00Z) | sort by TimeGenerated asc`
    )
    expect(r.status).toBe(200)
    const frames = r.json as Frame[]
    expect(frames.map((f) => f.TableKind ?? f.FrameType)).toEqual([
      'DataSetHeader',
      'QueryProperties',
      'PrimaryResult',
      'QueryCompletionInformation',
      'DataSetCompletion'
    ])
    const primary = frames[2] as Frame
    expect(primary.Columns?.map((c) => c.ColumnName).slice(0, 3)).toEqual([
      'TimeGenerated',
      'Id',
      'RecordType'
    ])
    expect(primary.Rows?.length).toBe(
      emu.kusto.groundTruth(
        DB,
        'Seeded',
        new Date('2026-05-20T00:00:00Z'),
        new Date('2026-05-20T06:00:00Z')
      ).size
    )
    expect(frames[4]).toMatchObject({ HasErrors: false, Cancelled: false })
  })

  it('cuts a result over the truncation limit with a OneApiErrors row and HasErrors', async () => {
    emu.kusto.setLimits({ maxRows: 10 })
    const frames = (await query('Seeded | sort by TimeGenerated asc')).json as Frame[]
    const rows = (frames[2] as Frame).Rows ?? []
    expect(rows.filter(Array.isArray)).toHaveLength(10)
    expect(JSON.stringify(rows[10])).toMatch(/LimitsExceeded.*E_QUERY_RESULT_SET_TOO_LARGE/)
    expect(frames[4]).toMatchObject({ FrameType: 'DataSetCompletion', HasErrors: true })
  })

  it('counts by hour bin and by an equality filter', async () => {
    const bins = (
      (
        await query(
          'Seeded | where TimeGenerated >= datetime(2026-05-20T00:00:00Z) | summarize count() by bin(TimeGenerated, 1h)'
        )
      ).json as Frame[]
    )[2] as Frame
    const total = (bins.Rows as Array<[string, number]>).reduce((n, [, c]) => n + c, 0)
    expect(total).toBe(emu.kusto.rowCount(DB, 'Seeded'))
    const seeded = (
      (await query("Seeded | where IngestPart == 'seed' | count")).json as Frame[]
    )[2] as Frame
    expect(seeded.Rows).toEqual([[emu.kusto.rowCount(DB, 'Seeded')]])
  })

  it('refuses what it cannot parse (400 General_BadRequest), no token or another audience (401), a principal without a role (403)', async () => {
    const bad = await query('Seeded | project Id')
    expect(bad.status).toBe(400)
    expect(bad.json).toMatchObject({ error: { code: 'General_BadRequest', '@permanent': true } })
    const none = await query('Seeded | count', null)
    expect(none.status).toBe(401)
    expect(none.headers['www-authenticate']).toBe('Bearer')
    const other = await query(
      'Seeded | count',
      await appToken('https://api.loganalytics.io/.default')
    )
    expect(other.status).toBe(401)
    emu.kusto.setRole(`aadapp=${APP}`, 'none')
    try {
      const denied = await query('Seeded | count')
      expect(denied.status).toBe(403)
      expect(denied.json).toMatchObject({ error: { code: 'Forbidden' } })
    } finally {
      emu.kusto.setRole(`aadapp=${APP}`, 'admin')
    }
  })

  it('answers scripted 429 with Retry-After and 504 with OneApi bodies', async () => {
    emu.kusto.failNext([{ status: 429, retryAfterSeconds: 3 }, { status: 504 }])
    const throttled = await query('Seeded | count')
    expect(throttled.status).toBe(429)
    expect(throttled.headers['retry-after']).toBe('3')
    expect(throttled.json).toMatchObject({
      error: { code: 'TooManyRequests', '@permanent': false }
    })
    const timeout = await query('Seeded | count')
    expect(timeout.status).toBe(504)
    expect(timeout.json).toMatchObject({ error: { code: 'GatewayTimeout' } })
  })

  it('creates a table and mapping, streams gzip multijson through the mapping, and caps a request at 4 MB', async () => {
    expect((await mgmt(adxCreateTableCommand('Streamed'))).status).toBe(200)
    const mapping = await mgmt(adxCreateMappingCommand('Streamed'))
    const mappingRow = (mapping.json as { Tables: Array<{ Rows: unknown[][] }> }).Tables[0]?.Rows[0]
    expect(mappingRow?.slice(0, 2)).toEqual(['Streamed_cax_v1', 'Json'])
    const raw = {
      Id: 'a1b2c3d4-0000-4000-8000-00000000000a',
      CreationTime: '2026-05-20T10:00:00',
      RecordType: 256,
      Operation: 'CreateConnection',
      UserId: 'u@contoso.onmicrosoft.com'
    }
    const record = normalizeRecord(JSON.stringify(raw))
    if (!record.ok) {
      throw new Error(record.reason)
    }
    const line = `${JSON.stringify(adxRowOf(record.record, 'p1'))}\n`
    const url =
      '/v1/rest/ingest/AuditHistory/Streamed?streamFormat=multijson&mappingName=Streamed_cax_v1'
    const ok = await post(url, gzipSync(line.repeat(3)), { 'Content-Encoding': 'gzip' })
    expect(ok.status).toBe(200)
    expect(ok.json).toMatchObject({ Tables: [{ Rows: [[3, 'Inactive', 'Unknown', '']] }] })
    expect(emu.kusto.rowCount(DB, 'Streamed')).toBe(3)
    const back = (
      (await query("Streamed | where IngestPart == 'p1' | sort by TimeGenerated asc"))
        .json as Frame[]
    )[2] as Frame
    const rawAt = back.Columns?.findIndex((c) => c.ColumnName === 'RawRecord') ?? -1
    expect((back.Rows?.[0] as unknown[])[rawAt]).toBe(JSON.stringify(raw))
    emu.kusto.setLimits({ streamingMaxBytes: line.length * 2 })
    const tooLarge = await post(url, gzipSync(line.repeat(3)), { 'Content-Encoding': 'gzip' })
    expect(tooLarge.status).toBe(413)
    expect(emu.kusto.rowCount(DB, 'Streamed')).toBe(3)
    const noMapping = await post(
      '/v1/rest/ingest/AuditHistory/Streamed?streamFormat=multijson&mappingName=nope',
      line
    )
    expect(noMapping.status).toBe(400)
  })

  it('skips an .ingest inline whose ingest-by tag an extent already has', async () => {
    await mgmt(adxCreateTableCommand('Tagged'))
    const command = (data: string): string =>
      `.ingest inline into table Tagged with (format='multijson', tags='["ingest-by:part-1"]', ingestIfNotExists='["part-1"]') <|\n${data}`
    const row = JSON.stringify({
      TimeGenerated: '2026-05-20T10:00:00Z',
      Id: 'x',
      IngestPart: 'part-1'
    })
    expect((await mgmt(command(`${row}\n${row}\n`))).status).toBe(200)
    expect(emu.kusto.rowCount(DB, 'Tagged')).toBe(2)
    const again = await mgmt(command(`${row}\n${row}\n`))
    expect(again.status).toBe(200)
    expect(again.json).toMatchObject({ Tables: [{ Rows: [] }] })
    expect(emu.kusto.rowCount(DB, 'Tagged')).toBe(2)
  })
})
