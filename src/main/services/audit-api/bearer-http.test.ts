import { afterEach, describe, expect, it } from 'vitest'

import { startEmulator } from '../../../emulator'
import { HttpsClient, isLoopbackHost } from '../http/https-client'
import { startRecordingServer } from '../http/recording-server'

import { BearerHttp } from './bearer-http'
import { GraphAuditClient, isQueryId, skipTokenOf } from './graph-audit-client'
import { ManagementClient } from './management-client'
import { tokenDestination, TokenDestinationError } from './token-destination'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) {
    await c()
  }
})

/** The emulator (the configured base) and an attacker's host the client could reach. */
async function setUp(): Promise<{
  emu: Awaited<ReturnType<typeof startEmulator>>
  attacker: Awaited<ReturnType<typeof startRecordingServer>>
  http: HttpsClient
  tokens: boolean[]
  token: (force?: boolean) => Promise<string>
}> {
  const emu = await startEmulator({ seed: 3 })
  const attacker = await startRecordingServer(401)
  cleanups.push(
    () => emu.close(),
    () => attacker.close()
  )
  const tokens: boolean[] = []
  return {
    emu,
    attacker,
    http: new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost }),
    tokens,
    // A stale token first; a "fresh" one when forced (the gateway's 401 retry).
    token: async (force = false) => {
      tokens.push(force)
      return force ? 'fresh-token' : 'stale-token'
    }
  }
}

describe('BearerHttp: the one place a token is attached', () => {
  it('refuses a foreign URL before asking for a token, on a first attempt and a forced refresh alike', async () => {
    const { emu, attacker, http, tokens, token } = await setUp()
    const bearer = new BearerHttp({
      http,
      destination: tokenDestination('the Management Activity API', emu.urls.managementApiBase),
      token
    })
    for (const force of [false, true]) {
      await expect(bearer.send({ url: `${attacker.origin}/x` }, force)).rejects.toThrow(
        TokenDestinationError
      )
      await expect(bearer.stream({ url: `${attacker.origin}/x` }, force)).rejects.toThrow(
        /points to https:\/\/127\.0\.0\.1:\d+, not to/
      )
    }
    expect(tokens).toEqual([])
    expect(attacker.requests).toEqual([])
  })

  it('ManagementClient: a blob URL on the attacker answering 401 gets neither the token nor a fresh one', async () => {
    const { emu, attacker, http, tokens, token } = await setUp()
    const client = new ManagementClient({
      http,
      apiBase: emu.urls.managementApiBase,
      tenantId: emu.tenantId,
      publisherIdentifier: emu.tenantId,
      token
    })
    await expect(client.getBlobStream(`${attacker.origin}/x`)).rejects.toThrow(
      TokenDestinationError
    )
    await expect(client.listContentPage(`${attacker.origin}/next`)).rejects.toThrow(
      TokenDestinationError
    )
    expect(tokens).toEqual([])
    expect(attacker.requests).toEqual([])
    // The legitimate 401 path still works: the stale token is refused, the fresh one is asked for
    // and sent to the configured base only (the emulator refuses both made-up tokens).
    await expect(client.listSubscriptions()).rejects.toMatchObject({ status: 401 })
    expect(tokens).toEqual([false, true])
    expect(attacker.requests).toEqual([])
  })

  it('ManagementClient: a content id from a ledger cannot steer the blob URL', async () => {
    const { emu, http, token } = await setUp()
    const client = new ManagementClient({
      http,
      apiBase: emu.urls.managementApiBase,
      tenantId: emu.tenantId,
      publisherIdentifier: emu.tenantId,
      token
    })
    const id =
      '20230828171604712068871$20230828173205648032977$audit_general$Audit_General$emea9037'
    expect(client.blobUrl(id)).toBe(`${client.root}/audit/${id}`)
    for (const bad of ['../../x', 'a/b', 'a@b', 'a%2fb', 'a.b', 'a?b', 'a#b', '']) {
      expect(() => client.blobUrl(bad), bad).toThrow(/content id has characters/)
    }
  })

  it('GraphAuditClient: a served or stored next link elsewhere is refused; ids and skip tokens stay on the base', async () => {
    const { emu, attacker, http, tokens, token } = await setUp()
    const client = new GraphAuditClient({ http, graphBase: emu.urls.graphBase, token })
    await expect(client.recordsPage(`${attacker.origin}/graph/beta/x`)).rejects.toThrow(
      TokenDestinationError
    )
    expect(tokens).toEqual([])
    expect(attacker.requests).toEqual([])
    const url = client.recordsUrl('q-1', 10, `&x=${attacker.origin}/#`)
    expect(
      url.startsWith(`${emu.urls.graphBase}/v1.0/security/auditLog/queries/q-1/records?`)
    ).toBe(true)
    expect(new URL(url).searchParams.get('$skiptoken')).toBe(`&x=${attacker.origin}/#`)
    // Only the token of a served link is kept; ids from a ledger must look like query ids.
    expect(skipTokenOf('https://h/q/records?$top=5&$SkipToken=abc')).toBe('abc')
    expect(skipTokenOf('https://h/q/records?$top=5')).toBeNull()
    expect(skipTokenOf(`https://h/q/records?$skiptoken=${'a'.repeat(20_000)}`)).toBeNull()
    expect(isQueryId('0f6a2a4e-1a1b-4c1d-8e1f-123456789abc')).toBe(true)
    for (const bad of ['../x', 'a/b', 'a?b', '', 'a'.repeat(65)]) {
      expect(isQueryId(bad), bad).toBe(false)
    }
  })
})
