import { createHash, randomBytes } from 'node:crypto'

import { InteractionRequiredAuthError, ServerError } from '@azure/msal-node'
import { generate } from 'selfsigned'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { CLOUDS, graphAuditScope, managementScope } from '../shared/clouds'

import { bareGetBrowser, fakeBrowser, parseAutoSubmitForm } from './test-support/fake-browser'
import { loopbackRequest } from './test-support/loopback-network-client'
import { testCca, testPca } from './test-support/msal'

import type { Emulator } from './index'
import { startEmulator } from './index'

const MANAGEMENT_SCOPE = managementScope(CLOUDS.commercial)
const GRAPH_SCOPE = graphAuditScope(CLOUDS.commercial)

function claims(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>
}

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) {
    throw new Error('missing value')
  }
  return value
}

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ seed: 7 })
})

afterAll(async () => {
  await emu.close()
})

beforeEach(() => {
  emu.entra.setHeadless('off')
  emu.entra.setAccessTokenLifetime(3600)
  emu.entra.requireConsent(false)
})

describe('fake Entra ID over HTTPS', () => {
  it('serves Entra-shaped discovery and a JWKS', async () => {
    const res = await loopbackRequest(
      `${emu.urls.authorityHost}/${emu.tenantId}/v2.0/.well-known/openid-configuration`,
      { ca: emu.caCertPem }
    )
    expect(res.status).toBe(200)
    const meta = JSON.parse(res.text) as Record<string, string>
    expect(meta.token_endpoint).toBe(`${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`)
    expect(meta.issuer).toBe(`${emu.urls.authorityHost}/${emu.tenantId}/v2.0`)
    const keys = await loopbackRequest(meta.jwks_uri ?? '', { ca: emu.caCertPem })
    const jwks = JSON.parse(keys.text) as { keys: Array<{ kty: string; kid: string }> }
    expect(jwks.keys[0]?.kty).toBe('RSA')
  })

  it('rejects an unknown tenant', async () => {
    const res = await loopbackRequest(
      `${emu.urls.authorityHost}/00000000-0000-0000-0000-000000000001/v2.0/.well-known/openid-configuration`,
      { ca: emu.caCertPem }
    )
    expect(res.status).toBe(400)
    expect(res.text).toContain('AADSTS90002')
  })

  it.each(['token', 'devicecode'])(
    'refuses an unknown app registration at /%s',
    async (endpoint) => {
      const res = await loopbackRequest(
        `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/${endpoint}`,
        {
          ca: emu.caCertPem,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: '00000000-0000-0000-0000-00000000dead',
            grant_type: 'client_credentials',
            scope: 'https://example.invalid/.default'
          }).toString()
        }
      )
      expect(res.status).toBe(400)
      expect(JSON.parse(res.text)).toMatchObject({
        error: 'unauthorized_client',
        error_codes: [700016]
      })
    }
  )
})

describe('real msal-node PublicClientApplication against the fake', () => {
  it('signs in interactively through an auto-submitting form_post page', async () => {
    const { pca } = testPca(emu)
    const browser = fakeBrowser(emu.caCertPem)
    const result = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: browser.openBrowser,
      successTemplate: 'signed-in-ok'
    })
    const params = emu.entra.lastAuthorizeRequest()
    expect(params?.get('response_mode')).toBe('form_post')
    expect(params?.get('code_challenge_method')).toBe('S256')
    expect(params?.get('client_info')).toBe('1')
    expect(params?.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+$/)
    expect(params?.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'profile', 'offline_access', MANAGEMENT_SCOPE])
    )
    expect(browser.visits[0]?.fields?.client_info).toBeDefined()
    const admin = emu.users.admin
    expect(result.account?.homeAccountId).toBe(`${admin.oid}.${admin.tenantId}`)
    expect(result.account?.environment).toBe(new URL(emu.urls.authorityHost).host)
    expect(result.account?.username).toBe(admin.upn)
    const at = claims(result.accessToken)
    expect(at.aud).toBe(CLOUDS.commercial.managementResource)
    expect(at.tid).toBe(emu.tenantId)
    expect(at.scp).toContain('ActivityFeed.Read')
    expect(claims(result.idToken).nonce).toBeUndefined()
    // The fake browser posts the form after openBrowser returns: wait for its answer.
    while (browser.visits[0]?.loopbackBody === undefined) {
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(browser.visits[0]?.loopbackBody).toContain('signed-in-ok')
    const feed = await loopbackRequest(
      `${emu.urls.managementApiBase}/api/v1.0/${emu.tenantId}/activity/feed/subscriptions/list`,
      { ca: emu.caCertPem, headers: { Authorization: `Bearer ${result.accessToken}` } }
    )
    expect(feed.status).toBe(200)
  })

  it('signs in at /organizations and then works with the per-tenant authority', async () => {
    const { pca, network } = testPca(emu, { authority: `${emu.urls.authorityHost}/organizations` })
    const result = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    expect(result.tenantId).toBe(emu.tenantId)
    const graph = await pca.acquireTokenSilent({
      account: must(result.account),
      scopes: [GRAPH_SCOPE],
      authority: `${emu.urls.authorityHost}/${emu.tenantId}`
    })
    expect(claims(graph.accessToken).tid).toBe(emu.tenantId)
    expect(network.calls.some((c) => c.includes(`/${emu.tenantId}/oauth2/v2.0/token`))).toBe(true)
  })

  it('signs a second-tenant user in at /organizations; their token works for their own tenant only', async () => {
    const { pca, network } = testPca(emu, { authority: `${emu.urls.authorityHost}/organizations` })
    const partner = emu.partnerTenant
    const result = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      loginHint: partner.admin.upn,
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    expect(result.tenantId).toBe(partner.tenantId)
    expect(result.account?.homeAccountId).toBe(`${partner.admin.oid}.${partner.tenantId}`)
    const perTenant = await pca.acquireTokenSilent({
      account: must(result.account),
      scopes: [MANAGEMENT_SCOPE],
      authority: `${emu.urls.authorityHost}/${partner.tenantId}`,
      forceRefresh: true
    })
    expect(network.calls.some((c) => c.includes(`/${partner.tenantId}/oauth2/v2.0/token`))).toBe(
      true
    )
    const feed = (tenant: string): Promise<{ status: number; text: string }> =>
      loopbackRequest(
        `${emu.urls.managementApiBase}/api/v1.0/${tenant}/activity/feed/subscriptions/list`,
        {
          ca: emu.caCertPem,
          headers: { Authorization: `Bearer ${perTenant.accessToken}` }
        }
      )
    expect((await feed(partner.tenantId)).status).toBe(200)
    expect(JSON.parse((await feed(emu.tenantId)).text).error.code).toBe('AF20010')
  })

  it('echoes a nonce only when the client sent one', async () => {
    const { pca } = testPca(emu)
    const browser = fakeBrowser(emu.caCertPem)
    const result = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      nonce: 'nonce-123',
      openBrowser: browser.openBrowser
    })
    expect(claims(result.idToken).nonce).toBe('nonce-123')
  })

  it('uses the cache silently, refreshes short-lived tokens, and gets Graph with the RT', async () => {
    const { pca, network } = testPca(emu)
    const browser = fakeBrowser(emu.caCertPem)
    emu.entra.setAccessTokenLifetime(3600)
    const first = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: browser.openBrowser
    })
    const account = first.account
    if (!account) {
      throw new Error('no account')
    }
    const callsAfterSignIn = network.calls.length
    const cached = await pca.acquireTokenSilent({ account, scopes: [MANAGEMENT_SCOPE] })
    expect(cached.fromCache).toBe(true)
    expect(network.calls.length).toBe(callsAfterSignIn)

    const graph = await pca.acquireTokenSilent({ account, scopes: [GRAPH_SCOPE] })
    expect(graph.fromCache).toBe(false)
    expect(claims(graph.accessToken).aud).toBe(CLOUDS.commercial.graphResource)
    expect(claims(graph.accessToken).scp).toContain('AuditLogsQuery.Read.All')

    emu.entra.setAccessTokenLifetime(120) // < 300 s: msal refreshes on the next silent call
    const short = await pca.acquireTokenSilent({
      account,
      scopes: [MANAGEMENT_SCOPE],
      forceRefresh: true
    })
    expect(short.fromCache).toBe(false)
    const before = network.calls.length
    const refreshed = await pca.acquireTokenSilent({ account, scopes: [MANAGEMENT_SCOPE] })
    expect(refreshed.fromCache).toBe(false)
    expect(network.calls.slice(before).some((c) => c.includes('/oauth2/v2.0/token'))).toBe(true)
  })

  it('picks the user from login_hint and setNextUser', async () => {
    const { pca } = testPca(emu)
    const byHint = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      loginHint: emu.users.reader.upn,
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    expect(byHint.account?.username).toBe(emu.users.reader.upn)
    emu.entra.setNextUser(emu.users.noPermission.upn)
    const next = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    expect(next.account?.username).toBe(emu.users.noPermission.upn)
    expect(String(claims(next.accessToken).scp)).not.toContain('ActivityFeed.Read')
  })

  it('completes sign-in in headless IdP mode (auto and manual approval)', async () => {
    const { pca } = testPca(emu)
    emu.entra.setHeadless('auto')
    const auto = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: bareGetBrowser(emu.caCertPem)
    })
    expect(auto.account?.username).toBe(emu.users.admin.upn)

    emu.entra.setHeadless('manual')
    let settled = false
    const pending = pca
      .acquireTokenInteractive({
        scopes: [MANAGEMENT_SCOPE],
        openBrowser: bareGetBrowser(emu.caCertPem)
      })
      .finally(() => {
        settled = true
      })
    // Wait on state, not on time: the sign-in has reached the IdP and waits for approval.
    while (emu.entra.pendingSignIns() === 0) {
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(settled).toBe(false)
    expect(await emu.entra.approveSignIn(emu.users.reader.upn)).toBe(true)
    const manual = await pending
    expect(manual.account?.username).toBe(emu.users.reader.upn)
  })

  it('reports a denied sign-in as ServerError access_denied', async () => {
    const { pca } = testPca(emu)
    emu.entra.denyNextAuthorization()
    const err = await pca
      .acquireTokenInteractive({
        scopes: [MANAGEMENT_SCOPE],
        openBrowser: fakeBrowser(emu.caCertPem).openBrowser
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect((err as ServerError).errorCode).toBe('access_denied')
  })

  it('requires consent until prompt=consent is used', async () => {
    const { pca } = testPca(emu)
    const signIn = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    emu.entra.requireConsent(true)
    const silent = await pca
      .acquireTokenSilent({
        account: must(signIn.account),
        scopes: [MANAGEMENT_SCOPE],
        forceRefresh: true
      })
      .catch((e: unknown) => e)
    expect(silent).toBeInstanceOf(InteractionRequiredAuthError)
    const err = await pca
      .acquireTokenInteractive({
        scopes: [MANAGEMENT_SCOPE],
        openBrowser: fakeBrowser(emu.caCertPem).openBrowser
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect((err as ServerError).errorCode).toBe('consent_required')
    const ok = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      prompt: 'consent',
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    expect(ok.accessToken).toBeTruthy()
  })

  it('signs in with the device code flow after test approval', async () => {
    const { pca, network } = testPca(emu)
    const result = await pca.acquireTokenByDeviceCode({
      scopes: [MANAGEMENT_SCOPE],
      deviceCodeCallback: (r) => emu.entra.approveDeviceCode(r.userCode, emu.users.reader.upn)
    })
    expect(result?.account?.username).toBe(emu.users.reader.upn)
    expect(network.calls.some((c) => c.endsWith('/oauth2/v2.0/devicecode'))).toBe(true)
  })

  it('maps revoked refresh tokens: bad_token suberror vs plain invalid_grant', async () => {
    const { pca } = testPca(emu)
    const signIn = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    const account = signIn.account
    if (!account) {
      throw new Error('no account')
    }
    emu.entra.revokeRefreshTokens(emu.users.admin.upn, { withSuberror: true })
    const withSub = await pca
      .acquireTokenSilent({ account, scopes: [MANAGEMENT_SCOPE], forceRefresh: true })
      .catch((e: unknown) => e)
    expect(withSub).toBeInstanceOf(InteractionRequiredAuthError)
    expect((withSub as InteractionRequiredAuthError).subError).toBe('bad_token')

    const again = await pca.acquireTokenInteractive({
      scopes: [MANAGEMENT_SCOPE],
      openBrowser: fakeBrowser(emu.caCertPem).openBrowser
    })
    emu.entra.revokeRefreshTokens(emu.users.admin.upn, { withSuberror: false })
    const plain = await pca
      .acquireTokenSilent({
        account: again.account ?? account,
        scopes: [MANAGEMENT_SCOPE],
        forceRefresh: true
      })
      .catch((e: unknown) => e)
    expect(plain).toBeInstanceOf(ServerError)
    expect(plain).not.toBeInstanceOf(InteractionRequiredAuthError)
    expect((plain as ServerError).errorCode).toBe('invalid_grant')
  })
})

describe('authorization code redemption checks', () => {
  async function getCode(challenge: string): Promise<{ code: string; redirect: string }> {
    const redirect = 'http://localhost:1'
    const q = new URLSearchParams({
      client_id: emu.clientId,
      response_type: 'code',
      redirect_uri: redirect,
      scope: `${MANAGEMENT_SCOPE} openid profile offline_access`,
      response_mode: 'form_post',
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256'
    })
    const page = await loopbackRequest(
      `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/authorize?${q.toString()}`,
      { ca: emu.caCertPem }
    )
    const form = parseAutoSubmitForm(page.text)
    return { code: form.fields.code ?? '', redirect }
  }

  it('checks PKCE and single use', async () => {
    const verifier = randomBytes(32).toString('base64url')
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const tokenUrl = `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`
    const post = (code: string, redirect: string, v: string): ReturnType<typeof loopbackRequest> =>
      loopbackRequest(tokenUrl, {
        ca: emu.caCertPem,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: emu.clientId,
          code,
          redirect_uri: redirect,
          code_verifier: v,
          scope: MANAGEMENT_SCOPE
        }).toString()
      })
    const bad = await getCode(challenge)
    const wrong = await post(bad.code, bad.redirect, 'not-the-verifier')
    expect(wrong.status).toBe(400)
    expect(wrong.text).toContain('AADSTS501481')
    const good = await getCode(challenge)
    expect((await post(good.code, good.redirect, verifier)).status).toBe(200)
    const reused = await post(good.code, good.redirect, verifier)
    expect(JSON.parse(reused.text)).toMatchObject({ error: 'invalid_grant' })
  })

  it('refuses a non-loopback redirect_uri', async () => {
    const q = new URLSearchParams({
      client_id: emu.clientId,
      response_type: 'code',
      redirect_uri: 'https://evil.example/',
      scope: 'openid',
      state: 'x'
    })
    const res = await loopbackRequest(
      `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/authorize?${q.toString()}`,
      { ca: emu.caCertPem }
    )
    expect(res.status).toBe(400)
    expect(res.text).toContain('AADSTS50011')
  })
})

describe('real msal-node ConfidentialClientApplication against the fake', () => {
  it('gets an app token with a certificate assertion and rejects an unregistered cert', async () => {
    const appId = '11111111-2222-3333-4444-555555555555'
    const good = await generate([{ name: 'commonName', value: 'daemon' }], {
      keySize: 2048,
      algorithm: 'sha256'
    })
    const other = await generate([{ name: 'commonName', value: 'other' }], {
      keySize: 2048,
      algorithm: 'sha256'
    })
    emu.entra.registerClientCertificate(appId, good.cert)
    const thumb = (pem: string): string =>
      createHash('sha256')
        .update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'))
        .digest('hex')
    const { cca } = testCca(emu, {
      clientId: appId,
      clientCertificate: { thumbprintSha256: thumb(good.cert), privateKey: good.private }
    })
    const result = await cca.acquireTokenByClientCredential({
      scopes: [`${CLOUDS.commercial.managementResource}/.default`]
    })
    const at = claims(result?.accessToken ?? '')
    expect(at.roles).toContain('ActivityFeed.Read')
    expect(at.aud).toBe(CLOUDS.commercial.managementResource)
    expect(at.tid).toBe(emu.tenantId)

    const { cca: impostor } = testCca(emu, {
      clientId: appId,
      clientCertificate: { thumbprintSha256: thumb(other.cert), privateKey: other.private }
    })
    const err = await impostor
      .acquireTokenByClientCredential({
        scopes: [`${CLOUDS.commercial.managementResource}/.default`]
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect((err as ServerError).errorCode).toBe('invalid_client')
  })

  it('gets an app token with a client secret', async () => {
    const appId = '66666666-2222-3333-4444-555555555555'
    emu.entra.setClientSecret(appId, 's3cret')
    const { cca } = testCca(emu, { clientId: appId, clientSecret: 's3cret' })
    const result = await cca.acquireTokenByClientCredential({
      scopes: [`${CLOUDS.commercial.graphResource}/.default`]
    })
    expect(claims(result?.accessToken ?? '').roles).toContain('AuditLogsQuery.Read.All')
    const { cca: wrong } = testCca(emu, { clientId: appId, clientSecret: 'nope' })
    await expect(
      wrong.acquireTokenByClientCredential({
        scopes: [`${CLOUDS.commercial.graphResource}/.default`]
      })
    ).rejects.toMatchObject({ errorCode: 'invalid_client' })
  })
})
