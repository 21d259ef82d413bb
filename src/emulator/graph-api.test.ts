import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { CLOUDS, graphAuditScope } from '../shared/clouds'

import { call, userToken } from './test-support/emulator-client'

import { startEmulator } from './index'
import type { Emulator } from './index'

const GRAPH = graphAuditScope(CLOUDS.commercial)
const NOW = new Date('2026-11-20T12:00:00Z')

interface QueryView {
  id: string
  status: string
  isRecordCountLimitExceeded?: boolean
  approximateReturnedRecordCount?: number
  recordCountLimit?: number
  operationFilters?: string[]
  serviceFilters?: string[]
}

let emu: Emulator
let token: string

beforeAll(async () => {
  emu = await startEmulator({ scenario: 'demo', now: NOW, seed: 21 })
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  token = await userToken(emu, emu.users.admin.upn, GRAPH)
})

afterAll(() => emu.close())

const queries = (version = 'beta'): string =>
  `${emu.urls.graphBase}/${version}/security/auditLog/queries`

async function create(
  body: unknown,
  t = token,
  version = 'beta'
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await call(emu, queries(version), {
    token: t,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  return { status: res.status, json: JSON.parse(res.text) as Record<string, unknown> }
}

async function get(
  url: string,
  t = token
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await call(emu, url, { token: t })
  return { status: res.status, json: JSON.parse(res.text) as Record<string, unknown> }
}

async function allRecords(id: string, top?: number): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = []
  let url: string | undefined = `${queries()}/${id}/records${top ? `?$top=${top}` : ''}`
  while (url) {
    const page = await get(url)
    expect(page.status).toBe(200)
    out.push(...(page.json.value as Array<Record<string, unknown>>))
    url = page.json['@odata.nextLink'] as string | undefined
  }
  return out
}

describe('Graph audit log query API', () => {
  it('answers 401 for a bad token and 403 without AuditLogsQuery.Read.All', async () => {
    expect((await get(queries(), 'not-a-token')).status).toBe(401)
    const noScope = await userToken(emu, emu.users.noPermission.upn, GRAPH)
    const denied = await create({ filterStartDateTime: '2026-11-19T00:00:00Z' }, noScope)
    expect(denied.status).toBe(403)
    expect(denied.json).toMatchObject({ error: { code: 'Forbidden', innerError: {} } })
  })

  it('withdraws v1.0 (404 UnknownError) unless switched back', async () => {
    const withdrawn = await create({}, token, 'v1.0')
    expect(withdrawn.status).toBe(404)
    expect(withdrawn.json).toEqual({ error: { code: 'UnknownError', message: '' } })
    emu.faults.set({ graphV1Withdrawn: false })
    expect((await create({}, token, 'v1.0')).status).toBe(201)
    emu.faults.set({ graphV1Withdrawn: true })
  })

  it('rejects bad JSON and bad dates with the Graph error shape', async () => {
    const bad = await create('{not json')
    expect(bad.status).toBe(400)
    expect(bad.json).toMatchObject({
      error: { code: 'BadRequest', innerError: { 'request-id': expect.any(String) } }
    })
    expect((await create({ filterStartDateTime: 'yesterday' })).status).toBe(400)
  })

  it('runs notStarted → running → succeeded on the clock, lists and gets queries, 404s unknown ids', async () => {
    const created = await create({
      '@odata.type': '#microsoft.graph.security.auditLogQuery',
      displayName: 'connector changes',
      filterStartDateTime: '2026-11-19T00:00:00Z',
      filterEndDateTime: '2026-11-19T12:00:00Z',
      operationFilters: ['PutConnection'],
      serviceFilter: 'PowerPlatform',
      status: ''
    })
    expect(created.status).toBe(201)
    const q = created.json as unknown as QueryView
    expect(q.status).toBe('notStarted')
    expect(q.operationFilters).toEqual(['PutConnection'])
    expect(q.serviceFilters).toEqual(['PowerPlatform'])
    const early = await get(`${queries()}/${q.id}/records`)
    expect(early.status).toBe(400)
    emu.faults.set({ graphRecordsBeforeSucceeded: 'empty' })
    expect((await get(`${queries()}/${q.id}/records`)).json.value).toEqual([])
    emu.faults.set({ graphRecordsBeforeSucceeded: 'error' })
    emu.clock.advance(10_000)
    expect((await get(`${queries()}/${q.id}`)).json.status).toBe('running')
    emu.clock.advance(60_000)
    const done = (await get(`${queries()}/${q.id}`)).json as unknown as QueryView
    expect(done.status).toBe('succeeded')
    expect(done.isRecordCountLimitExceeded).toBe(false)
    const list = await get(queries())
    expect((list.json.value as QueryView[]).some((x) => x.id === q.id)).toBe(true)
    expect((await get(`${queries()}/00000000-0000-0000-0000-00000000abcd`)).status).toBe(404)
    const records = await allRecords(q.id)
    expect(records.length).toBeGreaterThan(0)
    expect(records.length).toBe(done.approximateReturnedRecordCount)
    for (const r of records) {
      expect(r.operation).toBe('PutConnection')
      expect(r.service).toBe('PowerPlatform')
      const created = Date.parse(String(r.createdDateTime))
      expect(created).toBeGreaterThanOrEqual(Date.parse('2026-11-19T00:00:00Z'))
      expect(created).toBeLessThanOrEqual(Date.parse('2026-11-19T12:00:00Z'))
      const data = r.auditData as Record<string, unknown>
      expect(data['@odata.type']).toBe('#microsoft.graph.security.defaultAuditData')
      expect(data['RecordType@odata.type']).toBe('#Int64')
      expect(data.Id).toBe(r.id)
    }
  })

  it('pages by @odata.nextLink with $top and filters by record type', async () => {
    const created = await create({
      filterStartDateTime: '2026-11-18T08:00:00Z',
      filterEndDateTime: '2026-11-18T14:00:00Z',
      recordTypeFilters: ['PowerPlatformAdministratorActivity']
    })
    const id = (created.json as unknown as QueryView).id
    emu.clock.advance(120_000)
    const first = await get(`${queries()}/${id}/records?$top=25`)
    expect((first.json.value as unknown[]).length).toBe(25)
    expect(String(first.json['@odata.nextLink'])).toContain('$skiptoken=')
    const all = await allRecords(id, 25)
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length)
    expect(all.length).toBeGreaterThan(50)
    expect(all.every((r) => r.auditLogRecordType === 'powerPlatformAdministratorActivity')).toBe(
      true
    )
  })

  it('truncates at the record-count limit while reporting succeeded', async () => {
    emu.faults.set({ graphRecordLimit: 40 })
    const created = await create({
      filterStartDateTime: '2026-11-18T00:00:00Z',
      filterEndDateTime: '2026-11-19T00:00:00Z'
    })
    const id = (created.json as unknown as QueryView).id
    emu.clock.advance(120_000)
    const view = (await get(`${queries()}/${id}`)).json as unknown as QueryView
    emu.faults.set({ graphRecordLimit: 1_000_000 })
    expect(view).toMatchObject({
      status: 'succeeded',
      isRecordCountLimitExceeded: true,
      recordCountLimit: 40,
      approximateReturnedRecordCount: 40
    })
    expect((await allRecords(id, 15)).length).toBe(40)
  })

  it('reports failed queries and limits per-workload scopes to their workload', async () => {
    emu.faults.set({ graphOutcome: 'failed' })
    const failed = await create({
      filterStartDateTime: '2026-11-18T00:00:00Z',
      filterEndDateTime: '2026-11-18T02:00:00Z'
    })
    emu.faults.set({ graphOutcome: 'succeeded' })
    emu.clock.advance(120_000)
    expect(
      (await get(`${queries()}/${(failed.json as unknown as QueryView).id}`)).json.status
    ).toBe('failed')

    const reader = await userToken(emu, emu.users.reader.upn, GRAPH)
    const created = await create(
      { filterStartDateTime: '2026-11-18T09:00:00Z', filterEndDateTime: '2026-11-18T11:00:00Z' },
      reader
    )
    expect(created.status).toBe(201)
    emu.clock.advance(120_000)
    const res = await get(
      `${queries()}/${(created.json as unknown as QueryView).id}/records?$top=200`,
      reader
    )
    const records = res.json.value as Array<Record<string, unknown>>
    expect(records.length).toBeGreaterThan(0)
    expect(records.every((r) => r.service === 'AzureActiveDirectory')).toBe(true)
  })

  it('fails the queries of one span (graphQueryFaults): once, or every time', async () => {
    emu.clock.advance(600_000)
    emu.faults.set({
      graphQueryFaults: [
        { from: '2026-11-10T00:00:00Z', to: '2026-11-11T00:00:00Z', fault: 'failed' },
        { from: '2026-11-12T00:00:00Z', to: '2026-11-13T00:00:00Z', fault: 'cancelled', times: 1 }
      ]
    })
    const span = (day: string): Record<string, string> => ({
      filterStartDateTime: `${day}T00:00:00Z`,
      filterEndDateTime: `${day}T06:00:00Z`
    })
    const ids = [
      await create(span('2026-11-10')),
      await create(span('2026-11-10')),
      await create(span('2026-11-12')),
      await create(span('2026-11-12')),
      await create(span('2026-11-11'))
    ].map((c) => (c.json as unknown as QueryView).id)
    emu.clock.advance(120_000)
    const statuses: string[] = []
    for (const id of ids) {
      statuses.push((await get(`${queries()}/${id}`)).json.status as string)
    }
    expect(statuses).toEqual(['failed', 'failed', 'cancelled', 'succeeded', 'succeeded'])
    emu.faults.set({ graphQueryFaults: [] })
  })

  it('answers 429 with Retry-After when too many queries are queued or running', async () => {
    emu.clock.advance(600_000)
    emu.faults.set({ graphMaxActiveQueries: 2 })
    expect((await create({})).status).toBe(201)
    expect((await create({})).status).toBe(201)
    const res = await call(emu, queries(), {
      token,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}'
    })
    expect(res.status).toBe(429)
    expect(res.headers['retry-after']).toBe('30')
    emu.clock.advance(120_000)
    expect((await create({})).status).toBe(201)
    emu.faults.set({ graphMaxActiveQueries: 50 })
  })

  it('never returns events older than the retention period, and injects transient 5xx on GETs', async () => {
    const created = await create({
      filterStartDateTime: '2026-04-01T00:00:00Z',
      filterEndDateTime: '2026-04-02T00:00:00Z'
    })
    const id = (created.json as unknown as QueryView).id
    emu.clock.advance(120_000)
    expect((await get(`${queries()}/${id}`)).json.approximateReturnedRecordCount).toBe(0)
    emu.faults.set({ graphRetentionDays: 365 })
    const longer = await create({
      filterStartDateTime: '2026-04-01T00:00:00Z',
      filterEndDateTime: '2026-04-02T00:00:00Z'
    })
    emu.clock.advance(120_000)
    const view = (await get(`${queries()}/${(longer.json as unknown as QueryView).id}`)).json
    emu.faults.set({ graphRetentionDays: 180 })
    expect(view.approximateReturnedRecordCount).toBeGreaterThan(0)

    emu.faults.set({ graphTransientRate: 1 })
    const flaky = await call(emu, `${queries()}/${id}`, { token })
    emu.faults.set({ graphTransientRate: 0 })
    expect([502, 503, 504]).toContain(flaky.status)
  })
})
