import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startEmulator } from '../../../../emulator'
import type { Emulator } from '../../../../emulator'
import { CLOUDS } from '../../../../shared/clouds'
import { BearerHttp } from '../../audit-api/bearer-http'
import { tokenDestination } from '../../audit-api/token-destination'
import { AppOnlyAuth } from '../../auth/app-only-auth'
import { HttpsClient } from '../../http/https-client'
import { MemoryLogger } from '../../logging/logger'

import { LogAnalyticsClient, LogAnalyticsError } from './log-analytics-client'

const APP_ID = '7e6d5c4b-3333-4444-8555-a66667777888'
const NOW = new Date('2026-06-01T00:00:00Z')
const SPAN = { start: new Date('2026-05-20T00:00:00Z'), end: new Date('2026-05-20T06:00:00Z') }
const KQL = `PowerAppsActivity | where TimeGenerated >= datetime(${SPAN.start.toISOString()}) and TimeGenerated < datetime(${SPAN.end.toISOString()}) | sort by TimeGenerated asc`

let emu: Emulator
let forced: boolean[]
let client: LogAnalyticsClient
let waits: number[]

beforeAll(async () => {
  emu = await startEmulator({ scenario: 'clean', now: NOW, seed: 41 })
  emu.entra.setClientSecret(APP_ID, 'client-test')
  const http = new HttpsClient({ extraCaPem: emu.caCertPem })
  const auth = new AppOnlyAuth({
    clientId: APP_ID,
    tenantId: emu.tenantId,
    credential: { kind: 'secret', secret: 'client-test' },
    endpoints: {
      authorityHost: emu.urls.authorityHost,
      managementApiBase: emu.urls.managementApiBase,
      managementResource: CLOUDS.commercial.managementResource,
      graphBase: emu.urls.graphBase,
      graphResource: CLOUDS.commercial.graphResource,
      hasGraphAuditQuery: true
    },
    http,
    log: new MemoryLogger()
  })
  forced = []
  waits = []
  client = new LogAnalyticsClient({
    http: new BearerHttp({
      http,
      destination: tokenDestination('the Log Analytics query API', emu.urls.logAnalyticsBase),
      token: async (force) => {
        forced.push(force)
        return (await auth.getResourceToken(CLOUDS.commercial.logAnalyticsResource, force)).token
      }
    }),
    base: emu.urls.logAnalyticsBase,
    attempts: 3,
    sleep: async (ms) => {
      waits.push(ms)
    }
  })
})

afterAll(() => emu.close())

describe('LogAnalyticsClient against the fake', () => {
  it('refreshes the token once after a 401, then reads the rows', async () => {
    forced.length = 0
    emu.logAnalytics.failNext([{ status: 401 }])
    const answer = await client.query(emu.workspaceId, KQL, SPAN)
    expect(forced).toEqual([false, true])
    expect(answer.partialError).toBeUndefined()
    expect(answer.table.rows.length).toBe(
      emu.logAnalytics.groundTruth('PowerAppsActivity', SPAN.start, SPAN.end).size
    )
  })

  it("waits the 429's Retry-After, and gives up with the service's code after the last attempt", async () => {
    waits.length = 0
    emu.logAnalytics.failNext([{ status: 429, retryAfterSeconds: 42 }])
    await client.query(emu.workspaceId, KQL, SPAN)
    expect(waits).toEqual([42_000])
    emu.logAnalytics.failNext([{ status: 504 }, { status: 504 }, { status: 504 }])
    const error = await client.query(emu.workspaceId, KQL, SPAN).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LogAnalyticsError)
    expect((error as LogAnalyticsError).code).toBe('GatewayTimeout')
    expect((error as LogAnalyticsError).isAuth).toBe(false)
  })

  it('returns a cut answer marked partial rather than as complete', async () => {
    emu.logAnalytics.setLimits({ maxRows: 3 })
    try {
      const answer = await client.query(emu.workspaceId, KQL, SPAN)
      expect(answer.table.rows).toHaveLength(3)
      expect(answer.partialError?.code).toBe('PartialError')
      expect(answer.partialError?.message).toContain('limit of 3 records')
    } finally {
      emu.logAnalytics.setLimits({ maxRows: 500_000 })
    }
  })
})
