import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { CLOUDS, managementScope } from '../shared/clouds'

import { call, feedRoot, userToken } from './test-support/emulator-client'
import { loopbackRequest } from './test-support/loopback-network-client'

import { DEFAULT_REQUEST_LOG_LIMIT, startEmulator } from './index'
import type { Emulator } from './index'

const NOW = new Date('2026-11-20T12:00:00Z')
const HOUR = 3_600_000
const PUB = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'

describe('startEmulator', () => {
  // Start-up time is measured by bench/emulator-start.bench.mjs, not asserted here.
  it('starts (certificates included) and closes', async () => {
    const emu = await startEmulator({ scenario: 'demo' })
    expect(emu.urls.managementApiBase).toBe(`${emu.urls.authorityHost}/manage`)
    expect(emu.urls.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    // a running clock follows real time
    expect(Math.abs(emu.clock.now().getTime() - Date.now())).toBeLessThan(5000)
    await emu.close()
  })

  it('gives the partner tenant its own activity and ground truth', async () => {
    const emu = await startEmulator({ now: NOW, scenario: 'clean' })
    try {
      const start = new Date(NOW.getTime() - 10 * HOUR)
      const home = emu.groundTruth(start, NOW, 'Audit.General')
      const partner = emu.groundTruth(start, NOW, 'Audit.General', emu.partnerTenant.tenantId)
      expect(home.size).toBeGreaterThan(0)
      expect(partner.size).toBeGreaterThan(0)
      expect([...partner].some((id) => home.has(id))).toBe(false)
      expect(emu.partnerTenant.tenantId).not.toBe(emu.tenantId)
    } finally {
      await emu.close()
    }
  })

  it('keeps /_test closed unless testHooks is on', async () => {
    const emu = await startEmulator({ now: NOW })
    try {
      const res = await loopbackRequest(`${emu.urls.authorityHost}/_test/clock`, {
        ca: emu.caCertPem
      })
      expect(res.status).toBe(404)
    } finally {
      await emu.close()
    }
  })
})

describe('emulator clock on the wire and the request log', () => {
  it('dates every response (Management API, Entra, Graph, errors) by the emulator clock', async () => {
    const emu = await startEmulator({ now: NOW, testHooks: true })
    try {
      const dates = async (): Promise<Array<string | undefined>> => {
        const urls = [
          `${feedRoot(emu)}/subscriptions/list`,
          `${emu.urls.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`,
          `${emu.urls.graphBase}/beta/security/auditLog/queries`,
          `${emu.urls.authorityHost}/_test/clock`,
          `${emu.urls.authorityHost}/no-such-route`
        ]
        const out: Array<string | undefined> = []
        for (const url of urls) {
          out.push((await loopbackRequest(url, { ca: emu.caCertPem })).headers.date)
        }
        return out
      }
      expect(await dates()).toEqual(Array(5).fill(NOW.toUTCString()))
      emu.clock.advance(-3 * HOUR)
      const skewed = new Date(NOW.getTime() - 3 * HOUR).toUTCString()
      expect(await dates()).toEqual(Array(5).fill(skewed))
    } finally {
      await emu.close()
    }
  })

  it('caps the request log at requestLogLimit (newest kept), 5,000 by default', async () => {
    const small = await startEmulator({ now: NOW, requestLogLimit: 3 })
    const normal = await startEmulator({ now: NOW })
    try {
      for (const emu of [small, normal]) {
        for (let i = 0; i < 7; i++) {
          await call(emu, `${feedRoot(emu)}/subscriptions/list?n=${i}`)
        }
      }
      expect(small.requestLog().map((e) => e.path)).toEqual(
        [4, 5, 6].map(
          (i) => `/manage/api/v1.0/${small.tenantId}/activity/feed/subscriptions/list?n=${i}`
        )
      )
      expect(normal.requestLog()).toHaveLength(7)
      expect(DEFAULT_REQUEST_LOG_LIMIT).toBe(5000)
      await expect(startEmulator({ requestLogLimit: -1 })).rejects.toThrow(/requestLogLimit/)
    } finally {
      await Promise.all([small.close(), normal.close()])
    }
  })
})

describe('test hooks over HTTP', () => {
  let emu: Emulator
  const hook = async (
    path: string,
    method = 'POST',
    body?: string
  ): Promise<Record<string, unknown>> => {
    const res = await loopbackRequest(`${emu.urls.authorityHost}/_test/${path}`, {
      ca: emu.caCertPem,
      method,
      body
    })
    return JSON.parse(res.text) as Record<string, unknown>
  }
  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'huge', now: NOW, testHooks: true, seed: 31 })
    emu.entra.setAccessTokenLifetime(30 * 86_400)
  })
  afterAll(() => emu.close())

  it('moves the clock', async () => {
    expect(await hook('clock', 'GET')).toEqual({ now: NOW.toISOString() })
    expect(await hook(`clock/advance?ms=${HOUR}`)).toEqual({
      now: new Date(NOW.getTime() + HOUR).toISOString()
    })
    expect(await hook(`clock/set?now=${NOW.toISOString()}`)).toEqual({ now: NOW.toISOString() })
    expect(emu.clock.now().toISOString()).toBe(NOW.toISOString())
  })

  it('sets faults with validation and queues them', async () => {
    const token = await userToken(emu, emu.users.admin.upn, managementScope(CLOUDS.commercial))
    const bad = await loopbackRequest(`${emu.urls.authorityHost}/_test/faults`, {
      ca: emu.caCertPem,
      method: 'POST',
      body: '{"pageSize":0}'
    })
    expect(bad.status).toBe(400)
    await hook('faults', 'POST', JSON.stringify({ pageSize: 3 }))
    const after = await hook('faults', 'POST', JSON.stringify({ failNext: ['AF50006'] }))
    expect(after.pageSize).toBe(3)
    const res = await call(emu, `${feedRoot(emu)}/subscriptions/list?PublisherIdentifier=${PUB}`, {
      token
    })
    expect(JSON.parse(res.text).error.code).toBe('AF50006')
    const log = (
      await loopbackRequest(`${emu.urls.authorityHost}/_test/requests`, { ca: emu.caCertPem })
    ).text
    expect(JSON.parse(log)).toEqual(
      expect.arrayContaining([expect.objectContaining({ publisherIdentifier: PUB, status: 500 })])
    )
  })

  it('approves a device code, and serves ground truth for a huge-tenant hour that matches the blobs', async () => {
    const base = `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0`
    const dc = JSON.parse(
      (
        await loopbackRequest(`${base}/devicecode`, {
          ca: emu.caCertPem,
          method: 'POST',
          body: new URLSearchParams({
            client_id: emu.clientId,
            scope: managementScope(CLOUDS.commercial)
          }).toString()
        })
      ).text
    ) as { user_code: string; device_code: string }
    expect(
      await hook(
        `device/approve?user_code=${dc.user_code}&upn=${encodeURIComponent(emu.users.reader.upn)}`
      )
    ).toEqual({ ok: true })
    const tokenRes = await loopbackRequest(`${base}/token`, {
      ca: emu.caCertPem,
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'device_code',
        client_id: emu.clientId,
        device_code: dc.device_code,
        scope: managementScope(CLOUDS.commercial)
      }).toString()
    })
    const token = (JSON.parse(tokenRes.text) as { access_token: string }).access_token

    const start = NOW.getTime() - 27 * HOUR // a Thursday 09:00 hour's blobs
    const end = start + HOUR
    const list = await call(
      emu,
      `${feedRoot(emu)}/subscriptions/content?contentType=Audit.General&startTime=${new Date(start).toISOString()}&endTime=${new Date(end).toISOString()}&PublisherIdentifier=${PUB}`,
      { token }
    )
    expect(list.status).toBe(200)
    const gt = await hook(
      `ground-truth?start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}&contentType=Audit.General`,
      'GET'
    )
    expect(gt.count).toBeGreaterThan(3000)
    const ids = new Set<string>()
    let next: string | undefined = list.headers['nextpageuri'] as string | undefined
    const items = JSON.parse(list.text) as Array<{ contentUri: string }>
    while (next) {
      const page = await call(emu, `${next}&PublisherIdentifier=${PUB}`, { token })
      items.push(...(JSON.parse(page.text) as Array<{ contentUri: string }>))
      next = page.headers['nextpageuri'] as string | undefined
    }
    for (const item of items) {
      const blob = await call(emu, `${item.contentUri}?PublisherIdentifier=${PUB}`, { token })
      for (const r of JSON.parse(blob.text) as Array<{ Id: string }>) {
        ids.add(r.Id)
      }
    }
    expect([...ids].sort()).toEqual([...(gt.ids as string[])].sort())
  })

  it('drives sign-in hooks: headless mode and next user', async () => {
    expect(await hook('sign-in/headless?mode=manual')).toEqual({ mode: 'manual' })
    expect(await hook('sign-in/approve')).toEqual({ approved: false })
    expect(
      (
        await loopbackRequest(`${emu.urls.authorityHost}/_test/sign-in/headless?mode=bogus`, {
          ca: emu.caCertPem,
          method: 'POST'
        })
      ).status
    ).toBe(400)
    expect(await hook(`sign-in/next-user?upn=${encodeURIComponent(emu.users.reader.upn)}`)).toEqual(
      { ok: true }
    )
    const bad = await loopbackRequest(
      `${emu.urls.authorityHost}/_test/sign-in/next-user?upn=nobody@x`,
      { ca: emu.caCertPem, method: 'POST' }
    )
    expect(bad.status).toBe(400)
  })
})

describe('named fault scenarios', () => {
  it('flaky: faults are frequent, yet a retrying client still gets the ground truth', async () => {
    const emu = await startEmulator({ scenario: 'flaky', now: NOW, seed: 41 })
    try {
      emu.entra.setAccessTokenLifetime(86_400)
      const token = await userToken(emu, emu.users.admin.upn, managementScope(CLOUDS.commercial))
      emu.faults.set({ slowMs: 20 })
      const start = NOW.getTime() - 10 * HOUR
      const end = NOW.getTime() - 4 * HOUR
      let failures = 0
      const getJson = async (url: string): Promise<{ body: unknown; next?: string }> => {
        for (let attempt = 0; attempt < 30; attempt++) {
          try {
            const res = await call(emu, url, { token })
            if (res.status === 200) {
              return {
                body: JSON.parse(res.text),
                next: res.headers['nextpageuri'] as string | undefined
              }
            }
          } catch {
            // reset, truncated or malformed: retry
          }
          failures++
        }
        throw new Error('gave up')
      }
      const ids = new Set<string>()
      let url: string | undefined =
        `${feedRoot(emu)}/subscriptions/content?contentType=Audit.General&startTime=${new Date(start).toISOString()}&endTime=${new Date(end).toISOString()}&PublisherIdentifier=${PUB}`
      const items: Array<{ contentUri: string }> = []
      while (url) {
        const page = await getJson(url)
        items.push(...(page.body as Array<{ contentUri: string }>))
        url = page.next ? `${page.next}&PublisherIdentifier=${PUB}` : undefined
      }
      for (const item of items) {
        for (const r of (await getJson(`${item.contentUri}?PublisherIdentifier=${PUB}`))
          .body as Array<{ Id: string }>) {
          ids.add(r.Id)
        }
      }
      expect(failures).toBeGreaterThan(0)
      expect([...ids].sort()).toEqual(
        [...emu.groundTruth(new Date(start), new Date(end), 'Audit.General')].sort()
      )
    } finally {
      await emu.close()
    }
  })

  it('expired: listings reach past the 7-day edge and those blobs answer AF20051', async () => {
    const emu = await startEmulator({ scenario: 'expired', now: NOW, seed: 42 })
    try {
      const token = await userToken(emu, emu.users.admin.upn, managementScope(CLOUDS.commercial))
      const start = NOW.getTime() - 7 * 24 * HOUR - 10 * HOUR
      const res = await call(
        emu,
        `${feedRoot(emu)}/subscriptions/content?contentType=Audit.General&startTime=${new Date(start).toISOString()}&endTime=${new Date(start + 8 * HOUR).toISOString()}&PublisherIdentifier=${PUB}`,
        { token }
      )
      expect(res.status).toBe(200)
      const items = JSON.parse(res.text) as Array<{ contentUri: string; contentExpiration: string }>
      expect(items.length).toBeGreaterThan(0)
      const blob = await call(emu, `${items[0]?.contentUri ?? ''}?PublisherIdentifier=${PUB}`, {
        token
      })
      expect(JSON.parse(blob.text).error.code).toBe('AF20051')
    } finally {
      await emu.close()
    }
  })
})
