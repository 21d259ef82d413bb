import { gzipSync } from 'node:zlib'

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { CLOUDS, logAnalyticsScope, logsIngestionScope } from '../shared/clouds'

import { userToken } from './test-support/emulator-client'
import { loopbackRequest } from './test-support/loopback-network-client'
import type { LoopbackResponse } from './test-support/loopback-network-client'

import { startEmulator } from './index'
import type { Emulator } from './index'

const NOW = new Date('2026-06-01T12:00:00Z')
const APP_ID = '5d4c3b2a-1111-4222-8333-a44445555666'
const SECRET = 'ingest-secret'

const TABLE = {
  properties: {
    schema: {
      name: 'Probe_CL',
      columns: [
        { name: 'TimeGenerated', type: 'datetime' },
        { name: 'EventTime', type: 'datetime' },
        { name: 'UalId', type: 'string' },
        { name: 'RecordType', type: 'int' },
        { name: 'Raw', type: 'dynamic' },
        { name: 'PushPart', type: 'string' }
      ]
    }
  }
}
const RULE = {
  location: 'westeurope',
  kind: 'Direct',
  properties: {
    streamDeclarations: {
      'Custom-Probe_CL': { columns: TABLE.properties.schema.columns }
    },
    destinations: { logAnalytics: [{ workspaceResourceId: '/subscriptions/x', name: 'ws' }] },
    dataFlows: [
      {
        streams: ['Custom-Probe_CL'],
        destinations: ['ws'],
        transformKql: 'source',
        outputStream: 'Custom-Probe_CL'
      }
    ]
  }
}

let emu: Emulator
let ingestToken: string
let queryToken: string
let url: string
let ruleId: string

async function appToken(scope: string): Promise<string> {
  const res = await loopbackRequest(`${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: APP_ID,
      client_secret: SECRET,
      scope
    }).toString(),
    ca: emu.caCertPem
  })
  return (JSON.parse(res.text) as { access_token: string }).access_token
}

function ingest(
  body: string | Buffer,
  opts: { token?: string | null; gzip?: boolean; target?: string } = {}
): Promise<LoopbackResponse> {
  const token = opts.token === undefined ? ingestToken : opts.token
  return loopbackRequest(opts.target ?? url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(opts.gzip ? { 'Content-Encoding': 'gzip' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {})
    },
    body: opts.gzip ? gzipSync(body) : body,
    ca: emu.caCertPem
  })
}

async function query(kql: string): Promise<unknown[][]> {
  const res = await loopbackRequest(
    `${emu.urls.logAnalyticsBase}/v1/workspaces/${emu.workspaceId}/query`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${queryToken}` },
      body: JSON.stringify({ query: kql }),
      ca: emu.caCertPem
    }
  )
  expect(res.status, res.text).toBe(200)
  return (JSON.parse(res.text) as { tables: Array<{ rows: unknown[][] }> }).tables[0]?.rows ?? []
}

const errorOf = (res: LoopbackResponse): { code: string; message: string } =>
  (JSON.parse(res.text) as { error: { code: string; message: string } }).error

beforeAll(async () => {
  emu = await startEmulator({ scenario: 'clean', now: NOW, seed: 41 })
  emu.entra.setAccessTokenLifetime(30 * 86_400)
  emu.entra.setClientSecret(APP_ID, SECRET)
  ingestToken = await appToken(logsIngestionScope(CLOUDS.commercial))
  queryToken = await userToken(emu, emu.users.admin.upn, logAnalyticsScope(CLOUDS.commercial))
  const deployed = emu.logsIngestion.deploy({ table: TABLE, rule: RULE })
  ruleId = deployed.immutableId
  url = `${deployed.endpoint}/dataCollectionRules/${ruleId}/streams/Custom-Probe_CL?api-version=2023-01-01`
})

afterAll(() => emu.close())

beforeEach(() =>
  emu.logsIngestion.setLimits({
    maxBodyBytes: 1024 * 1024,
    requestsPerWindow: 12_000,
    windowMs: 60_000
  })
)

describe('the fake Logs Ingestion API', () => {
  it('takes a gzip JSON array with 204 and lands it in the _CL table for the query API', async () => {
    const rows = [
      {
        TimeGenerated: '2026-06-01T11:00:00Z',
        EventTime: '2026-06-01T11:00:00Z',
        UalId: 'a1',
        RecordType: 256,
        Raw: { Id: 'a1' },
        PushPart: 'p1',
        Extra: 'dropped'
      },
      {
        TimeGenerated: '2026-06-01T11:30:00Z',
        EventTime: '2026-06-01T11:30:00Z',
        UalId: 'a2',
        RecordType: 30,
        Raw: { Id: 'a2' },
        PushPart: 'p1'
      }
    ]
    const res = await ingest(JSON.stringify(rows), { gzip: true })
    expect(res.status, res.text).toBe(204)
    expect(res.text).toBe('')
    expect(await query("Probe_CL | where PushPart == 'p1' | count")).toEqual([[2]])
    const schema = (await query('Probe_CL | getschema')).map((r) => r[0])
    expect(schema).not.toContain('Extra')
    const back = await query("Probe_CL | where PushPart == 'p1' | sort by TimeGenerated asc")
    expect(back.map((r) => r[2])).toEqual(['a1', 'a2'])
    expect(JSON.parse(String(back[0]?.[4]))).toEqual({ Id: 'a1' })
  })

  it('replaces a TimeGenerated older than two days with the ingestion time; EventTime stays', async () => {
    const old = '2026-01-10T08:00:00.000Z'
    const res = await ingest(
      JSON.stringify([{ TimeGenerated: old, EventTime: old, UalId: 'old', PushPart: 'p-old' }])
    )
    expect(res.status, res.text).toBe(204)
    const [row] = await query("Probe_CL | where PushPart == 'p-old'")
    expect(row?.[0]).toBe(NOW.toISOString())
    expect(row?.[1]).toBe(old)
  })

  it('refuses a call over 1 MB with 413, uncompressed or compressed', async () => {
    const big = JSON.stringify([{ UalId: 'x'.repeat(1024 * 1024), PushPart: 'big' }])
    const plain = await ingest(big)
    expect(plain.status).toBe(413)
    expect(errorOf(plain).code).toBe('ContentLengthLimitExceeded')
    expect(plain.headers['x-ms-error-code']).toBe('ContentLengthLimitExceeded')
    // Compresses to a few KB, but is over 1 MB once inflated.
    const zipped = await ingest(big, { gzip: true })
    expect(zipped.status).toBe(413)
    expect(await query("Probe_CL | where PushPart == 'big' | count")).toEqual([[0]])
  })

  it('answers 401 without a token, 401 for a query-API token and 403 without the publisher role', async () => {
    const body = JSON.stringify([{ UalId: 'n', PushPart: 'denied' }])
    const none = await ingest(body, { token: null })
    expect(none.status).toBe(401)
    expect(errorOf(none).code).toBe('InvalidToken')
    const wrongAudience = await ingest(body, { token: queryToken })
    expect(wrongAudience.status).toBe(401)
    emu.logsIngestion.setPublisher(ruleId, APP_ID, false)
    try {
      const denied = await ingest(body)
      expect(denied.status).toBe(403)
      expect(errorOf(denied)).toEqual({
        code: 'OperationFailed',
        message: `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${ruleId}'.`
      })
    } finally {
      emu.logsIngestion.setPublisher(ruleId, APP_ID, true)
    }
    expect(await query("Probe_CL | where PushPart == 'denied' | count")).toEqual([[0]])
  })

  it('answers 429 with Retry-After once the rule is over its requests per window', async () => {
    emu.logsIngestion.setLimits({ requestsPerWindow: 2, windowMs: 60_000 })
    // A fresh window for this test: the earlier calls used the old one.
    const body = JSON.stringify([{ UalId: 't', PushPart: 'throttle' }])
    const answers: LoopbackResponse[] = []
    for (let i = 0; i < 4; i++) {
      answers.push(await ingest(body))
    }
    const throttled = answers.filter((a) => a.status === 429)
    expect(throttled.length).toBeGreaterThan(0)
    expect(errorOf(throttled[0] as LoopbackResponse).code).toBe('TooManyRequests')
    expect(Number(throttled[0]?.headers['retry-after'])).toBeGreaterThan(0)
    const accepted = answers.filter((a) => a.status === 204).length
    expect(await query("Probe_CL | where PushPart == 'throttle' | count")).toEqual([[accepted]])
  })

  it('refuses an unknown rule, an undeclared stream, a wrong api-version and a body that is not an array', async () => {
    const body = JSON.stringify([{ UalId: 'z' }])
    const unknownRule = await ingest(body, { target: url.replace(ruleId, `dcr-${'0'.repeat(32)}`) })
    expect(unknownRule.status).toBe(404)
    const badStream = await ingest(body, {
      target: url.replace('Custom-Probe_CL', 'Custom-Other_CL')
    })
    expect(badStream.status).toBe(400)
    expect(errorOf(badStream).code).toBe('InvalidStream')
    const badVersion = await ingest(body, { target: url.replace('2023-01-01', '2021-01-01') })
    expect(badVersion.status).toBe(400)
    const notArray = await ingest(JSON.stringify({ UalId: 'z' }))
    expect(notArray.status).toBe(400)
    expect(errorOf(notArray).code).toBe('InvalidPayload')
  })
})

describe('the /_test/logs/table hook', () => {
  it('tells every row a push left in a custom table (repeats included) and its distinct Ids', async () => {
    const hooked = await startEmulator({ scenario: 'clean', now: NOW, seed: 42, testHooks: true })
    try {
      hooked.entra.setClientSecret(APP_ID, SECRET)
      const deployed = hooked.logsIngestion.deploy({ table: TABLE, rule: RULE })
      const token = (
        JSON.parse(
          (
            await loopbackRequest(
              `${hooked.urls.authorityHost}/${hooked.tenantId}/oauth2/v2.0/token`,
              {
                method: 'POST',
                headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams({
                  grant_type: 'client_credentials',
                  client_id: APP_ID,
                  client_secret: SECRET,
                  scope: logsIngestionScope(CLOUDS.commercial)
                }).toString(),
                ca: hooked.caCertPem
              }
            )
          ).text
        ) as { access_token: string }
      ).access_token
      const body = JSON.stringify([
        { TimeGenerated: '2026-06-01T11:00:00Z', UalId: 'd1', PushPart: 'p' },
        { TimeGenerated: '2026-06-01T11:00:00Z', UalId: 'd2', PushPart: 'p' }
      ])
      // The same call twice: the fake keeps both (it never hides a doubled send).
      for (let i = 0; i < 2; i++) {
        const res = await loopbackRequest(
          `${deployed.endpoint}/dataCollectionRules/${deployed.immutableId}/streams/Custom-Probe_CL?api-version=2023-01-01`,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
            body,
            ca: hooked.caCertPem
          }
        )
        expect(res.status, res.text).toBe(204)
      }
      const hook = (query: string): Promise<LoopbackResponse> =>
        loopbackRequest(`${hooked.urls.authorityHost}/_test/logs/table?${query}`, {
          ca: hooked.caCertPem
        })
      const table = await hook('table=Probe_CL&idColumn=UalId&column=PushPart')
      expect(table.status, table.text).toBe(200)
      expect(JSON.parse(table.text)).toEqual({ rows: 4, ids: ['d1', 'd2'], values: { p: 4 } })
      const missing = await hook('table=Nothing_CL&idColumn=UalId')
      expect(JSON.parse(missing.text)).toEqual({ rows: 0, ids: [] })
      const badColumn = await hook('table=Probe_CL&idColumn=Nope')
      expect(badColumn.status).toBe(400)
    } finally {
      await hooked.close()
    }
  })
})
