import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { CLOUDS, graphAuditScope, managementScope } from '../shared/clouds'

import { call, feedRoot, rawHeader, userToken } from './test-support/emulator-client'

import { FaultPatchSchema } from './scenarios'

import { SCENARIOS, startEmulator } from './index'
import type { Emulator, ScenarioConfig } from './index'

const MANAGE = managementScope(CLOUDS.commercial)
const NOW = new Date('2026-11-20T12:00:00Z') // a Friday
const HOUR = 3_600_000
const DAY = 24 * HOUR
const PUB = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'

interface Item {
  contentType: string
  contentId: string
  contentUri: string
  contentCreated: string
  contentExpiration: string
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}

function withFaults(
  base: ScenarioConfig,
  faults: Partial<ScenarioConfig['faults']>
): ScenarioConfig {
  return { ...base, faults: { ...base.faults, ...faults } }
}

async function listAll(
  emu: Emulator,
  token: string,
  start: number,
  end: number,
  ct = 'Audit.General'
): Promise<Item[]> {
  const items: Item[] = []
  let url: string | undefined =
    `${feedRoot(emu)}/subscriptions/content?contentType=${ct}&startTime=${iso(start)}&endTime=${iso(end)}&PublisherIdentifier=${PUB}`
  while (url) {
    const res = await call(emu, url, { token })
    expect(res.status).toBe(200)
    items.push(...(JSON.parse(res.text) as Item[]))
    const next = rawHeader(res, 'NextPageUri')?.[1]
    url = next ? `${next}&PublisherIdentifier=${PUB}` : undefined
  }
  return items
}

async function fetchBlob(
  emu: Emulator,
  token: string,
  item: Item
): Promise<Array<Record<string, unknown>>> {
  const res = await call(emu, `${item.contentUri}?PublisherIdentifier=${PUB}`, { token })
  expect(res.status).toBe(200)
  return JSON.parse(res.text) as Array<Record<string, unknown>>
}

describe('Management Activity API: tokens and tenants', () => {
  let emu: Emulator
  let token: string
  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'clean', now: NOW, seed: 3 })
    token = await userToken(emu, emu.users.admin.upn, MANAGE)
  })
  afterAll(() => emu.close())
  const list = (t?: string, tenant?: string): ReturnType<typeof call> =>
    call(emu, `${feedRoot(emu, tenant)}/subscriptions/list?PublisherIdentifier=${PUB}`, {
      token: t
    })

  it('accepts a delegated token with ActivityFeed.Read', async () => {
    const res = await list(token)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual([
      { contentType: 'Audit.General', status: 'enabled', webhook: null }
    ])
  })

  it('answers 401 with the gateway message for missing, tampered, wrong-audience and expired tokens', async () => {
    const denied = { Message: 'Authorization has been denied for this request.' }
    const missing = await list(undefined)
    expect(missing.status).toBe(401)
    expect(JSON.parse(missing.text)).toEqual(denied)
    const [h, p, sig] = token.split('.')
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >
    const forged = Buffer.from(
      JSON.stringify({ ...payload, tid: payload.tid, scp: 'ActivityFeed.Read x' })
    )
    const tampered = `${h}.${forged.toString('base64url')}.${sig}`
    expect((await list(tampered)).status).toBe(401)
    const graphToken = await userToken(emu, emu.users.admin.upn, graphAuditScope(CLOUDS.commercial))
    expect((await list(graphToken)).status).toBe(401)
    emu.entra.setAccessTokenLifetime(600)
    const short = await userToken(emu, emu.users.admin.upn, MANAGE)
    emu.entra.setAccessTokenLifetime(3600)
    emu.clock.advance(HOUR)
    const expired = await list(short)
    emu.clock.set(NOW)
    expect(expired.status).toBe(401)
    expect(JSON.parse(expired.text)).toEqual(denied)
  })

  it('checks the tenant: AF20013 non-GUID, AF20010 mismatch', async () => {
    const bad = await list(token, 'contoso.onmicrosoft.com')
    expect(JSON.parse(bad.text).error.code).toBe('AF20013')
    const other = await list(token, '0b1c2d3e-0000-4000-8000-000000000000')
    expect(JSON.parse(other.text).error.code).toBe('AF20010')
  })

  it('requires ActivityFeed.Read (AF10001) and accepts app tokens with roles', async () => {
    const none = await userToken(emu, emu.users.noPermission.upn, MANAGE)
    const res = await list(none)
    expect(JSON.parse(res.text).error.code).toBe('AF10001')
    emu.entra.setClientSecret('aaaaaaaa-1111-4111-8111-111111111111', 'pw')
    const tokenRes = await call(
      emu,
      `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'aaaaaaaa-1111-4111-8111-111111111111',
          client_secret: 'pw',
          scope: `${CLOUDS.commercial.managementResource}/.default`
        }).toString()
      }
    )
    const app = (JSON.parse(tokenRes.text) as { access_token: string }).access_token
    expect((await list(app)).status).toBe(200)
  })

  it('reports a tenant with auditing disabled', async () => {
    emu.faults.set({ auditingDisabled: true })
    const res = await list(token)
    emu.faults.set({ auditingDisabled: false })
    expect(res.status).toBe(400)
    expect(res.text).toContain(
      `Microsoft.Office.Compliance.Audit.DataServiceException: Tenant ${emu.tenantId} does not exist.`
    )
  })

  it('validates content types (AF20001, AF20020), echoes spelling, ignores parameter-name case', async () => {
    const root = feedRoot(emu)
    const missing = await call(emu, `${root}/subscriptions/content?PublisherIdentifier=${PUB}`, {
      token
    })
    expect(JSON.parse(missing.text).error.code).toBe('AF20001')
    const unknown = await call(emu, `${root}/subscriptions/content?contentType=Audit.Teams`, {
      token
    })
    expect(JSON.parse(unknown.text).error.code).toBe('AF20020')
    const start = NOW.getTime() - 6 * HOUR
    const res = await call(
      emu,
      `${root}/subscriptions/content?contenttype=audit.general&STARTTIME=${iso(start)}&endtime=${iso(NOW.getTime())}&publisheridentifier=${PUB}`,
      { token }
    )
    expect(res.status).toBe(200)
    const items = JSON.parse(res.text) as Item[]
    expect(items.length).toBeGreaterThan(0)
    expect(items[0]?.contentType).toBe('audit.general')
    expect(emu.requestLog().at(-1)?.publisherIdentifier).toBe(PUB)
  })

  it('optionally requires ActivityFeed.ReadDlp for DLP.All', async () => {
    const root = feedRoot(emu)
    const start = await call(
      emu,
      `${root}/subscriptions/start?contentType=DLP.All&PublisherIdentifier=${PUB}`,
      { token, method: 'POST' }
    )
    expect(start.status).toBe(200)
    emu.faults.set({ requireDlpScopeForDlpAll: true })
    const reader = await userToken(emu, emu.users.reader.upn, MANAGE)
    const denied = await call(
      emu,
      `${root}/subscriptions/content?contentType=DLP.All&PublisherIdentifier=${PUB}`,
      { token: reader }
    )
    const allowed = await call(
      emu,
      `${root}/subscriptions/content?contentType=DLP.All&PublisherIdentifier=${PUB}`,
      { token }
    )
    emu.faults.set({ requireDlpScopeForDlpAll: false })
    expect(JSON.parse(denied.text).error.code).toBe('AF10001')
    expect(allowed.status).toBe(200)
  })

  it('serves dlpSensitiveTypes with Accept-Language checks', async () => {
    const url = `${feedRoot(emu)}/resources/dlpSensitiveTypes?PublisherIdentifier=${PUB}`
    expect((await call(emu, url, { token, headers: { 'Accept-Language': 'en-US' } })).status).toBe(
      200
    )
    const many = await call(emu, url, { token, headers: { 'Accept-Language': 'en-US,fr-FR' } })
    expect(JSON.parse(many.text).error.code).toBe('AF20053')
    const bad = await call(emu, url, { token, headers: { 'Accept-Language': 'en_US!' } })
    expect(JSON.parse(bad.text).error.code).toBe('AF20054')
  })
})

describe('Management Activity API: subscriptions', () => {
  it('start/stop/list with AF20024, AF20022, AF20023, the restart lag and the stopped gap', async () => {
    const scenario = withFaults({ ...SCENARIOS.clean, preSubscribed: [] }, { pageSize: 1000 })
    const emu = await startEmulator({ scenario, now: NOW, seed: 4 })
    try {
      emu.entra.setAccessTokenLifetime(30 * 86_400)
      const token = await userToken(emu, emu.users.admin.upn, MANAGE)
      const root = feedRoot(emu)
      const q = `contentType=Audit.General&PublisherIdentifier=${PUB}`
      const listSubs = async (): Promise<unknown> =>
        JSON.parse((await call(emu, `${root}/subscriptions/list?${q}`, { token })).text)
      const content = async (
        start: number,
        end: number
      ): Promise<{ status: number; body: unknown }> => {
        const r = await call(
          emu,
          `${root}/subscriptions/content?${q}&startTime=${iso(start)}&endTime=${iso(end)}`,
          { token }
        )
        return { status: r.status, body: JSON.parse(r.text) }
      }
      expect(await listSubs()).toEqual([])
      expect((await content(NOW.getTime() - HOUR, NOW.getTime())).body).toMatchObject({
        error: { code: 'AF20022' }
      })

      const started = await call(emu, `${root}/subscriptions/start?${q}`, { token, method: 'POST' })
      expect(started.status).toBe(200)
      expect(JSON.parse(started.text)).toEqual({
        contentType: 'Audit.General',
        status: 'enabled',
        webhook: null
      })
      const again = await call(emu, `${root}/subscriptions/start?${q}`, { token, method: 'POST' })
      expect(again.status).toBe(400)
      expect(JSON.parse(again.text).error.code).toBe('AF20024')
      expect(await listSubs()).toEqual([
        { contentType: 'Audit.General', status: 'enabled', webhook: null }
      ])

      // content made before the subscription existed is never served
      emu.clock.advance(4 * HOUR)
      const firstWindow = await content(NOW.getTime() - 20 * HOUR, emu.clock.now().getTime())
      const firstItems = firstWindow.body as Item[]
      expect(firstItems.every((i) => Date.parse(i.contentCreated) >= NOW.getTime())).toBe(true)
      expect(firstItems.length).toBeGreaterThan(0)

      const stopped = await call(emu, `${root}/subscriptions/stop?${q}`, { token, method: 'POST' })
      expect(stopped.status).toBe(200)
      expect(stopped.text).toBe('')
      expect((await content(NOW.getTime(), emu.clock.now().getTime())).body).toMatchObject({
        error: { code: 'AF20023' }
      })
      const blob = await call(
        emu,
        `${firstItems[0]?.contentUri ?? ''}?PublisherIdentifier=${PUB}`,
        { token }
      )
      expect(JSON.parse(blob.text).error.code).toBe('AF20023')

      // stop → start within 15 min of the last start: "enabled", but hidden and AF20023 until then
      emu.clock.advance(3 * HOUR)
      const stopAt = emu.clock.now().getTime()
      await call(emu, `${root}/subscriptions/start?${q}`, { token, method: 'POST' })
      emu.clock.advance(5 * 60_000)
      await call(emu, `${root}/subscriptions/stop?${q}`, { token, method: 'POST' })
      const quick = await call(emu, `${root}/subscriptions/start?${q}`, { token, method: 'POST' })
      expect(JSON.parse(quick.text)).toMatchObject({ status: 'enabled' })
      expect(await listSubs()).toEqual([])
      expect((await content(NOW.getTime(), emu.clock.now().getTime())).body).toMatchObject({
        error: { code: 'AF20023' }
      })
      emu.clock.advance(11 * 60_000)
      expect(await listSubs()).toEqual([
        { contentType: 'Audit.General', status: 'enabled', webhook: null }
      ])

      // the 3-hour stop gap stays empty
      emu.clock.advance(6 * HOUR)
      const after = (await content(NOW.getTime(), emu.clock.now().getTime())).body as Item[]
      const gapStart = NOW.getTime() + 4 * HOUR
      expect(
        after.some(
          (i) => Date.parse(i.contentCreated) >= gapStart && Date.parse(i.contentCreated) < stopAt
        )
      ).toBe(false)
      expect(after.some((i) => Date.parse(i.contentCreated) >= stopAt + 16 * 60_000)).toBe(true)
    } finally {
      await emu.close()
    }
  })

  it('delays first content after a new subscription', async () => {
    const scenario = withFaults(
      { ...SCENARIOS.clean, preSubscribed: [] },
      { firstContentDelayMinutes: 12 * 60 }
    )
    const emu = await startEmulator({ scenario, now: NOW, seed: 4 })
    try {
      emu.entra.setAccessTokenLifetime(30 * 86_400)
      const token = await userToken(emu, emu.users.admin.upn, MANAGE)
      await call(
        emu,
        `${feedRoot(emu)}/subscriptions/start?contentType=Audit.General&PublisherIdentifier=${PUB}`,
        {
          token,
          method: 'POST'
        }
      )
      emu.clock.advance(6 * HOUR)
      expect(await listAll(emu, token, NOW.getTime(), emu.clock.now().getTime())).toEqual([])
      emu.clock.advance(7 * HOUR)
      expect(
        (await listAll(emu, token, NOW.getTime(), emu.clock.now().getTime())).length
      ).toBeGreaterThan(0)
    } finally {
      await emu.close()
    }
  })
})

describe('Management Activity API: windows, paging, blobs', () => {
  let emu: Emulator
  let token: string
  beforeAll(async () => {
    emu = await startEmulator({
      scenario: withFaults(SCENARIOS.clean, { pageSize: 7 }),
      now: NOW,
      seed: 5,
      testHooks: true
    })
    token = await userToken(emu, emu.users.admin.upn, MANAGE)
  })
  afterAll(() => emu.close())
  const content = async (
    query: string
  ): Promise<{ status: number; body: unknown; res: Awaited<ReturnType<typeof call>> }> => {
    const res = await call(
      emu,
      `${feedRoot(emu)}/subscriptions/content?contentType=Audit.General&PublisherIdentifier=${PUB}&${query}`,
      { token }
    )
    return { status: res.status, body: JSON.parse(res.text), res }
  }
  const code = (body: unknown): string => (body as { error: { code: string } }).error.code

  it('enforces the 24-hour, 7-day, order and both-or-neither rules', async () => {
    const now = NOW.getTime()
    expect(code((await content(`startTime=${iso(now - HOUR)}`)).body)).toBe('AF20030')
    expect(
      code((await content(`startTime=${iso(now - 25 * HOUR)}&endTime=${iso(now)}`)).body)
    ).toBe('AF20030')
    expect(
      code(
        (await content(`startTime=${iso(now - 7 * DAY - 2 * HOUR)}&endTime=${iso(now - 7 * DAY)}`))
          .body
      )
    ).toBe('AF20055')
    expect(
      (
        await content(
          `startTime=${iso(now - 7 * DAY - 30 * 60_000)}&endTime=${iso(now - 6 * DAY - HOUR)}`
        )
      ).status
    ).toBe(200)
    expect(code((await content(`startTime=${iso(now)}&endTime=${iso(now - HOUR)}`)).body)).toBe(
      'AF20055'
    )
    expect(
      (await content(`startTime=${iso(now - HOUR)}&endTime=${iso(now + DAY - HOUR)}`)).status
    ).toBe(200)
  })

  it('accepts documented and lenient formats; strict mode rejects extras with AF20002', async () => {
    for (const s of [
      '2026-11-20',
      '2026-11-20T01:00',
      '2026-11-20T01:00:00',
      '2026-11-20T01:00:00Z',
      '2026-11-20T01:00:00.123Z',
      '2026-11-20T01:00:00+00:00'
    ]) {
      expect(
        (await content(`startTime=${encodeURIComponent(s)}&endTime=2026-11-20T11:00:00`)).status,
        s
      ).toBe(200)
    }
    emu.faults.set({ strictDates: true })
    const strict = await content(
      `startTime=${encodeURIComponent('2026-11-20T01:00:00Z')}&endTime=2026-11-20T11:00:00`
    )
    expect(strict.body).toEqual({
      error: {
        code: 'AF20002',
        message: 'Invalid parameter type: startTime. Expected type: datetime'
      }
    })
    emu.faults.set({ strictDates: false })
  })

  it('defaults an omitted window to the last 24 h (switchable to 00:00 UTC or an error)', async () => {
    emu.faults.set({ pageSize: 1000 })
    const omitted = (await content('')).body as Item[]
    const explicit = (
      await content(`startTime=${iso(NOW.getTime() - DAY)}&endTime=${iso(NOW.getTime())}`)
    ).body as Item[]
    expect(omitted.map((i) => i.contentId)).toEqual(explicit.map((i) => i.contentId))
    emu.faults.set({ omittedWindow: 'sinceMidnight' })
    const midnight = (await content('')).body as Item[]
    expect(midnight.every((i) => i.contentCreated >= '2026-11-20T00:00:00')).toBe(true)
    expect(midnight.length).toBeLessThan(omitted.length)
    emu.faults.set({ omittedWindow: 'error' })
    expect(code((await content('')).body)).toBe('AF20030')
    emu.faults.set({ omittedWindow: 'last24h', pageSize: 7 })
  })

  it('selects half-open on contentCreated and lists in availability order with realistic items', async () => {
    const all = await listAll(emu, token, NOW.getTime() - DAY, NOW.getTime())
    expect(all.length).toBeGreaterThan(20)
    const first = all[0]
    if (!first) {
      throw new Error('no items')
    }
    expect(first.contentId).toMatch(/^\d{23}\$\d{23}\$audit_general\$Audit_General\$[a-z]+\d+$/)
    expect(first.contentUri).toBe(`${feedRoot(emu)}/audit/${first.contentId}`)
    expect(first.contentCreated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(first.contentExpiration) - Date.parse(first.contentCreated)).toBe(7 * DAY)
    const created = Date.parse(first.contentCreated)
    const from = await listAll(emu, token, created, created + HOUR)
    expect(from[0]?.contentId).toBe(first.contentId)
    const before = await listAll(emu, token, created - HOUR, created)
    expect(before.some((i) => i.contentId === first.contentId)).toBe(false)
  })

  it('pages with an absolute NextPageUri in the configured header casing; bad tokens → AF20031', async () => {
    const start = NOW.getTime() - DAY
    const res = (await content(`startTime=${iso(start)}&endTime=${iso(NOW.getTime())}`)).res
    const header = rawHeader(res, 'NextPageUri')
    expect(header?.[0]).toBe('NextPageUri')
    const next = new URL(header?.[1] ?? '')
    expect(next.origin).toBe(new URL(emu.urls.managementApiBase).origin)
    expect(next.searchParams.get('startTime')).toBe(iso(start))
    expect(next.searchParams.get('nextPage')).toBeTruthy()
    for (const name of ['nextpageuri', 'Nextpageuri', 'NextPageUrl'] as const) {
      emu.faults.set({ nextPageHeader: name })
      const r = (await content(`startTime=${iso(start)}&endTime=${iso(NOW.getTime())}`)).res
      expect(rawHeader(r, name)?.[0]).toBe(name)
    }
    emu.faults.set({ nextPageHeader: 'NextPageUri' })
    const bad = await content(
      `startTime=${iso(start)}&endTime=${iso(NOW.getTime())}&nextPage=2026112000R000000001999`
    )
    expect(code(bad.body)).toBe('AF20031')
    const paged = await listAll(emu, token, start, NOW.getTime())
    emu.faults.set({ pageSize: 1000 })
    const single = (await content(`startTime=${iso(start)}&endTime=${iso(NOW.getTime())}`))
      .body as Item[]
    emu.faults.set({ pageSize: 7 })
    expect(paged.map((i) => i.contentId)).toEqual(single.map((i) => i.contentId))
  })

  it('serves blobs of PascalCase records; AF20050 unknown, AF20052 malformed, AF20051 expired', async () => {
    const items = await listAll(emu, token, NOW.getTime() - 6 * HOUR, NOW.getTime())
    const item = items[0]
    if (!item) {
      throw new Error('no items')
    }
    const res = await call(emu, `${item.contentUri}?PublisherIdentifier=${PUB}`, { token })
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    const records = JSON.parse(res.text) as Array<Record<string, unknown>>
    expect(records.length).toBeGreaterThan(0)
    expect(String(records[0]?.CreationTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
    expect(records[0]?.OrganizationId).toBe(emu.tenantId)
    const unknownId = item.contentId.replace(
      /^(\d{22})\d/,
      (_m, p: string) => `${p}${item.contentId[22] === '9' ? '8' : '9'}`
    )
    const unknown = await call(emu, `${feedRoot(emu)}/audit/${unknownId}`, { token })
    expect(JSON.parse(unknown.text).error.code).toBe('AF20050')
    const malformed = await call(emu, `${feedRoot(emu)}/audit/not-a-blob`, { token })
    expect(JSON.parse(malformed.text).error.code).toBe('AF20052')
    const edge = NOW.getTime() - 7 * DAY - 50 * 60_000
    const old = await listAll(emu, token, edge, edge + 40 * 60_000)
    expect(old.length).toBeGreaterThan(0)
    expect(Date.parse(old[0]?.contentExpiration ?? '')).toBeLessThan(NOW.getTime())
    const expired = await call(emu, `${old[0]?.contentUri ?? ''}?PublisherIdentifier=${PUB}`, {
      token
    })
    expect(JSON.parse(expired.text).error.code).toBe('AF20051')
  })

  it('lets a complete client collect exactly the ground truth (API and /_test/ground-truth)', async () => {
    const start = NOW.getTime() - 2 * DAY
    const end = start + DAY
    const ids = new Set<string>()
    for (const item of await listAll(emu, token, start, end)) {
      for (const r of await fetchBlob(emu, token, item)) {
        ids.add(String(r.Id))
      }
    }
    const truth = emu.groundTruth(new Date(start), new Date(end), 'Audit.General')
    expect(ids.size).toBeGreaterThan(100)
    expect([...ids].sort()).toEqual([...truth].sort())
    const res = await call(
      emu,
      `${emu.urls.authorityHost}/_test/ground-truth?start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}&contentType=Audit.General`
    )
    expect(JSON.parse(res.text).count).toBe(truth.size)
  })
})

describe('Management Activity API: realism knobs', () => {
  it('late blobs appear later with an earlier contentCreated; old events arrive in new blobs', async () => {
    const emu = await startEmulator({ scenario: 'late-arrivals', now: NOW, seed: 8 })
    try {
      emu.entra.setAccessTokenLifetime(30 * 86_400)
      const token = await userToken(emu, emu.users.admin.upn, MANAGE)
      const start = NOW.getTime() - DAY
      const before = await listAll(emu, token, start, NOW.getTime())
      emu.clock.advance(10 * HOUR)
      const after = await listAll(emu, token, start, NOW.getTime())
      const seen = new Set(before.map((i) => i.contentId))
      const late = after.filter((i) => !seen.has(i.contentId))
      expect(late.length).toBeGreaterThan(0)
      const newestBefore = Math.max(...before.map((i) => Date.parse(i.contentCreated)))
      expect(late.some((i) => Date.parse(i.contentCreated) < newestBefore)).toBe(true)
      let oldEvents = 0
      for (const item of after.slice(0, 60)) {
        for (const r of await fetchBlob(emu, token, item)) {
          if (
            Date.parse(`${String(r.CreationTime)}Z`) <
            Date.parse(item.contentCreated) - 12 * HOUR
          ) {
            oldEvents++
          }
        }
      }
      expect(oldEvents).toBeGreaterThan(0)
    } finally {
      await emu.close()
    }
  })

  it('duplicates records within and across blobs', async () => {
    const emu = await startEmulator({ scenario: 'duplicates', now: NOW, seed: 9 })
    try {
      emu.entra.setAccessTokenLifetime(30 * 86_400)
      const token = await userToken(emu, emu.users.admin.upn, MANAGE)
      let within = 0
      const counts = new Map<string, number>()
      for (const item of await listAll(emu, token, NOW.getTime() - 12 * HOUR, NOW.getTime())) {
        const records = await fetchBlob(emu, token, item)
        const ids = records.map((r) => String(r.Id))
        within += ids.length - new Set(ids).size
        for (const id of new Set(ids)) {
          counts.set(id, (counts.get(id) ?? 0) + 1)
        }
      }
      expect(within).toBeGreaterThan(0)
      expect([...counts.values()].some((n) => n > 1)).toBe(true)
    } finally {
      await emu.close()
    }
  })
})

describe('Management Activity API: throttling and faults', () => {
  it('throttles per PublisherIdentifier and the shared pool with AF429 (403 or 429)', async () => {
    const emu = await startEmulator({ scenario: 'throttled', now: NOW, seed: 10 })
    try {
      emu.entra.setAccessTokenLifetime(30 * 86_400)
      const token = await userToken(emu, emu.users.admin.upn, MANAGE)
      const listUrl = (pub?: string): string =>
        `${feedRoot(emu)}/subscriptions/list${pub ? `?PublisherIdentifier=${pub}` : ''}`
      for (let i = 0; i < 30; i++) {
        expect((await call(emu, listUrl(PUB), { token })).status).toBe(200)
      }
      const throttled = await call(emu, listUrl(PUB), { token })
      expect(throttled.status).toBe(403)
      expect(JSON.parse(throttled.text)).toEqual({
        error: { code: 'AF429', message: `Too many requests. Method=GET, PublisherId=${PUB}` }
      })
      for (let i = 0; i < 10; i++) {
        expect((await call(emu, listUrl(), { token })).status).toBe(200)
      }
      emu.faults.set({ throttleStatus: 429, retryAfterSeconds: 30 })
      const shared = await call(emu, listUrl(), { token })
      expect(shared.status).toBe(429)
      expect(shared.headers['retry-after']).toBe('30')
      expect(JSON.parse(shared.text).error.message).toContain(
        'PublisherId=00000000-0000-0000-0000-000000000000'
      )
      emu.clock.advance(60_000)
      expect((await call(emu, listUrl(PUB), { token })).status).toBe(200)
    } finally {
      await emu.close()
    }
  })

  it('injects 5xx, HTML, resets, truncated and malformed bodies, and slow responses', async () => {
    const emu = await startEmulator({ scenario: 'clean', now: NOW, seed: 11 })
    try {
      emu.entra.setAccessTokenLifetime(30 * 86_400)
      const token = await userToken(emu, emu.users.admin.upn, MANAGE)
      const items = await listAll(emu, token, NOW.getTime() - 6 * HOUR, NOW.getTime())
      const blobUrl = `${items[0]?.contentUri ?? ''}?PublisherIdentifier=${PUB}`
      emu.faults.set({
        failNext: ['AF50000', 'AF50005', 'html', '408', 'reset', 'truncate', 'malformed', 'slow'],
        slowMs: 250
      })
      const e1 = await call(emu, blobUrl, { token })
      expect(e1.status).toBe(500)
      expect(JSON.parse(e1.text)).toEqual({
        error: { code: 'AF50000', message: 'An internal error occurred. Retry the request.' }
      })
      expect(JSON.parse((await call(emu, blobUrl, { token })).text).error.code).toBe('AF50005')
      const html = await call(emu, blobUrl, { token })
      expect(html.status).toBe(503)
      expect(html.text).toContain('<html>')
      expect((await call(emu, blobUrl, { token })).status).toBe(408)
      await expect(call(emu, blobUrl, { token })).rejects.toThrow()
      const truncated = await call(emu, blobUrl, { token }).then(
        (r) => r.text,
        () => 'failed'
      )
      expect(() => JSON.parse(truncated)).toThrow()
      const malformed = await call(emu, blobUrl, { token })
      expect(malformed.status).toBe(200)
      expect(() => JSON.parse(malformed.text)).toThrow()
      const t0 = Date.now()
      expect((await call(emu, blobUrl, { token })).status).toBe(200)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(240)
      expect((await call(emu, blobUrl, { token })).status).toBe(200)
    } finally {
      await emu.close()
    }
  })

  it('fails the listings of one span (listingFaults), the given number of times or always', async () => {
    const emu = await startEmulator({ scenario: 'clean', now: NOW, seed: 12 })
    try {
      emu.entra.setAccessTokenLifetime(30 * 86_400)
      const token = await userToken(emu, emu.users.admin.upn, MANAGE)
      const url = (start: number, end: number): string =>
        `${feedRoot(emu)}/subscriptions/content?contentType=Audit.General&startTime=${iso(start)}&endTime=${iso(end)}&PublisherIdentifier=${PUB}`
      const day = NOW.getTime() - 2 * DAY
      emu.faults.set({
        listingFaults: [
          {
            from: new Date(day).toISOString(),
            to: new Date(day + DAY).toISOString(),
            fault: '503'
          },
          {
            from: new Date(NOW.getTime() - 6 * HOUR).toISOString(),
            to: new Date(NOW.getTime() - 5 * HOUR).toISOString(),
            fault: 'AF50000',
            times: 1
          }
        ]
      })
      for (let i = 0; i < 3; i++) {
        expect((await call(emu, url(day + 2 * HOUR, day + 3 * HOUR), { token })).status).toBe(503)
      }
      // Another day is untouched.
      expect((await call(emu, url(day - 2 * HOUR, day), { token })).status).toBe(200)
      const once = url(NOW.getTime() - 6 * HOUR, NOW.getTime() - 4 * HOUR)
      const first = await call(emu, once, { token })
      expect(first.status).toBe(500)
      expect(JSON.parse(first.text).error.code).toBe('AF50000')
      expect((await call(emu, once, { token })).status).toBe(200)
      // The test hooks' schema refuses a span that is not a span.
      const patch = (from: string, to: string): boolean =>
        FaultPatchSchema.safeParse({ listingFaults: [{ from, to, fault: '503' }] }).success
      expect(patch('2026-11-18T00:00:00Z', '2026-11-19T00:00:00Z')).toBe(true)
      expect(patch('yesterday', '2026-11-19T00:00:00Z')).toBe(false)
      expect(patch('2026-11-19T00:00:00Z', '2026-11-18T00:00:00Z')).toBe(false)
    } finally {
      await emu.close()
    }
  })
})
