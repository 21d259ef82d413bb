import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { startEmulator, type Emulator } from '../../../emulator'
import { CLOUDS } from '../../../shared/clouds'
import type { AuthState, DeviceCodePrompt, Profile } from '../../../shared/profiles'
import { HttpsClient, isLoopbackHost } from '../http/https-client'
import { MemoryLogger } from '../logging/logger'
import { ProfilesService } from '../profiles/profiles-service'

import { MemorySecretStore, SecretStoreUnavailableError, type SecretStore } from './secret-store'

import { AuthService, type ExternalOpener } from './auth-service'
import { CACHE_KEY_NAME, decryptCache } from './encrypted-token-cache'

/** The "system browser": GETs the authorize URL; the emulator's headless mode posts the form back. */
class HeadlessBrowser implements ExternalOpener {
  readonly opened: string[] = []
  constructor(private readonly http: HttpsClient) {}
  async open(url: string): Promise<void> {
    this.opened.push(url)
    await this.http.send({ url })
  }
}

class BrokenKeychain implements SecretStore {
  async get(): Promise<string | null> {
    throw new SecretStoreUnavailableError('The OS keychain is not available: no Secret Service')
  }
  async set(): Promise<void> {
    throw new SecretStoreUnavailableError('The OS keychain is not available: no Secret Service')
  }
  async delete(): Promise<boolean> {
    throw new SecretStoreUnavailableError('The OS keychain is not available: no Secret Service')
  }
}

function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

/** Resolves with the rejection reason (or null), so a pending rejection is never unhandled. */
function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error
  )
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

describe('AuthService with real MSAL against the emulated Entra ID', () => {
  let emu: Emulator
  let http: HttpsClient
  let dir: string
  let secrets: MemorySecretStore
  let log: MemoryLogger
  let states: AuthState[]
  let prompts: DeviceCodePrompt[]
  let browser: HeadlessBrowser
  let profiles: ProfilesService
  let profile: Profile

  beforeAll(async () => {
    emu = await startEmulator({ seed: 7 })
    http = new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost })
  })

  afterAll(async () => {
    await emu.close()
  })

  beforeEach(async () => {
    emu.entra.setHeadless('auto')
    emu.entra.setAccessTokenLifetime(3600)
    emu.entra.requireConsent(false)
    dir = await mkdtemp(join(tmpdir(), 'cax-auth-'))
    secrets = new MemorySecretStore()
    log = new MemoryLogger()
    states = []
    prompts = []
    browser = new HeadlessBrowser(http)
    profiles = new ProfilesService({ dataDir: dir, log })
    profile = await profiles.save(
      {
        displayName: 'Demo tenant',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      },
      { endpoints: emu.urls }
    )
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  function service(
    overrides: Partial<ConstructorParameters<typeof AuthService>[0]> = {}
  ): AuthService {
    return new AuthService({
      profiles,
      secrets,
      opener: browser,
      http,
      dataDir: dir,
      log,
      onDidChange: (s) => states.push(s),
      onDeviceCode: (p) => prompts.push(p),
      ...overrides
    })
  }

  async function cacheJson(): Promise<string> {
    const files = await readdir(join(dir, 'auth'))
    const key = Buffer.from((await secrets.get(CACHE_KEY_NAME)) ?? '', 'base64')
    return decryptCache(await readFile(join(dir, 'auth', files[0] ?? '')), key)
  }

  it('signs in interactively through the system browser with PKCE and form_post', async () => {
    const auth = service()
    const state = await auth.signIn(profile.id)
    expect(state).toMatchObject({
      status: 'signed-in',
      account: { username: emu.users.admin.upn, tenantId: emu.tenantId },
      tokenStorage: 'keychain',
      error: null
    })
    const authorize = new URL(browser.opened[0] ?? '')
    expect(authorize.searchParams.get('response_mode')).toBe('form_post')
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+$/)
    expect(states.map((s) => s.status)).toEqual(['signing-in', 'signed-in'])
    expect((await profiles.get(profile.id)).accountHomeId).toBe(
      `${emu.users.admin.oid}.${emu.tenantId}`
    )

    const management = await auth.getAccessToken(profile.id, 'management')
    expect(decodeJwt(management.token)).toMatchObject({
      aud: CLOUDS.commercial.managementResource,
      tid: emu.tenantId
    })
    expect(String(decodeJwt(management.token)['scp'])).toContain('ActivityFeed.Read')
    const graph = await auth.getAccessToken(profile.id, 'graph')
    expect(decodeJwt(graph.token)['aud']).toBe(CLOUDS.commercial.graphResource)
  })

  it('keeps the cache encrypted on disk and stays signed in across a restart, silently', async () => {
    await service().signIn(profile.id)
    const files = await readdir(join(dir, 'auth'))
    expect(files).toHaveLength(1)
    const raw = await readFile(join(dir, 'auth', files[0] ?? ''))
    expect(raw.toString('latin1')).not.toContain('RefreshToken')
    expect(raw.toString('latin1')).not.toContain(emu.users.admin.upn)
    expect(JSON.parse(await cacheJson())).toHaveProperty('RefreshToken')

    const before = emu.entra.requestCounts()['token'] ?? 0
    const restarted = service()
    await expect(restarted.getState(profile.id)).resolves.toMatchObject({ status: 'signed-in' })
    await restarted.getAccessToken(profile.id, 'management')
    expect(emu.entra.requestCounts()['token'] ?? 0).toBe(before)
  })

  it('renews an access token that is about to expire with the refresh token', async () => {
    emu.entra.setAccessTokenLifetime(120) // < MSAL's 300 s margin
    const auth = service()
    await auth.signIn(profile.id)
    const first = await auth.getAccessToken(profile.id, 'management')
    const before = emu.entra.requestCounts()['token'] ?? 0
    const second = await auth.getAccessToken(profile.id, 'management')
    expect(emu.entra.requestCounts()['token'] ?? 0).toBe(before + 1)
    expect(decodeJwt(second.token)['aud']).toBe(decodeJwt(first.token)['aud'])
  })

  it.each([
    ['with the bad_token suberror', true],
    ['as a plain invalid_grant', false]
  ])(
    'asks for a new sign-in when the refresh token is revoked %s',
    async (_label, withSuberror) => {
      emu.entra.setAccessTokenLifetime(120)
      const auth = service()
      await auth.signIn(profile.id)
      emu.entra.revokeRefreshTokens(emu.users.admin.upn, { withSuberror })
      await expect(auth.getAccessToken(profile.id, 'management')).rejects.toMatchObject({
        code: 'auth/interaction-required'
      })
      expect(states.at(-1)).toMatchObject({
        status: 'signed-out',
        error: { code: 'auth/interaction-required' }
      })
    }
  )

  it('signs in with a device code shown to the user', async () => {
    const auth = service({
      onDeviceCode: (p) => {
        prompts.push(p)
        emu.entra.approveDeviceCode(p.userCode, emu.users.reader.upn)
      }
    })
    const state = await auth.signIn(profile.id, { mode: 'device-code' })
    expect(prompts).toHaveLength(1)
    expect(prompts[0]?.userCode).toMatch(/\S+/)
    expect(prompts[0]?.verificationUri).toMatch(/^https:/)
    expect(state.account?.username).toBe(emu.users.reader.upn)
  })

  it('cancels a device-code sign-in', async () => {
    const auth = service({
      onDeviceCode: () => void auth.cancelSignIn(profile.id)
    })
    await expect(auth.signIn(profile.id, { mode: 'device-code' })).rejects.toMatchObject({
      code: 'auth/cancelled'
    })
  })

  it('cancels a waiting interactive sign-in and frees the loopback port', async () => {
    emu.entra.setHeadless('manual')
    const auth = service()
    const outcome = settle(auth.signIn(profile.id))
    await expect.poll(() => browser.opened.length).toBe(1)
    await expect(auth.cancelSignIn(profile.id)).resolves.toBe(true)
    await expect(outcome).resolves.toMatchObject({ code: 'auth/cancelled' })
    const port = Number(
      new URL(new URL(browser.opened[0] ?? '').searchParams.get('redirect_uri') ?? '').port
    )
    await expect(portIsClosed(port)).resolves.toBe(true)
    expect((await auth.getState(profile.id)).status).toBe('signed-out')
  })

  it('gives up on an interactive sign-in after the time-out', async () => {
    emu.entra.setHeadless('manual')
    const auth = service({ interactiveTimeoutMs: 400 })
    await expect(auth.signIn(profile.id)).rejects.toMatchObject({ code: 'auth/timeout' })
  })

  it('refuses a second sign-in while one is in progress', async () => {
    emu.entra.setHeadless('manual')
    const auth = service()
    const outcome = settle(auth.signIn(profile.id))
    await expect.poll(() => browser.opened.length).toBe(1)
    await expect(auth.signIn(profile.id)).rejects.toMatchObject({ code: 'auth/busy' })
    await auth.cancelSignIn(profile.id)
    await expect(outcome).resolves.toMatchObject({ code: 'auth/cancelled' })
  })

  it('reports a user who cancels at the IdP as cancelled', async () => {
    emu.entra.denyNextAuthorization()
    await expect(service().signIn(profile.id)).rejects.toMatchObject({ code: 'auth/cancelled' })
  })

  it('names missing consent', async () => {
    emu.entra.requireConsent(true)
    await expect(service().signIn(profile.id)).rejects.toMatchObject({
      code: 'auth/consent-required'
    })
  })

  it('signs out: the account and its tokens leave the cache file', async () => {
    const auth = service()
    await auth.signIn(profile.id)
    await expect(auth.signOut(profile.id)).resolves.toMatchObject({ status: 'signed-out' })
    const cache = await cacheJson()
    expect(cache).not.toContain(emu.users.admin.oid)
    expect((await profiles.get(profile.id)).accountHomeId).toBeUndefined()
    await expect(auth.getAccessToken(profile.id, 'management')).rejects.toMatchObject({
      code: 'auth/interaction-required'
    })
  })

  it('keeps several profiles and accounts side by side', async () => {
    const second = await profiles.save(
      { ...profile, id: undefined, displayName: 'Reader view' },
      { endpoints: emu.urls }
    )
    const auth = service()
    await auth.signIn(profile.id, { loginHint: emu.users.admin.upn })
    await auth.signIn(second.id, { loginHint: emu.users.reader.upn })
    expect(new URL(browser.opened[1] ?? '').searchParams.get('login_hint')).toBe(
      emu.users.reader.upn
    )
    const all = await auth.listStates()
    expect(all.map((s) => s.account?.username).sort()).toEqual(
      [emu.users.admin.upn, emu.users.reader.upn].sort()
    )
    await auth.signOut(second.id)
    await expect(auth.getState(profile.id)).resolves.toMatchObject({ status: 'signed-in' })
  })

  it('discards a tampered cache file and asks for a sign-in, without crashing', async () => {
    await service().signIn(profile.id)
    const files = await readdir(join(dir, 'auth'))
    const file = join(dir, 'auth', files[0] ?? '')
    const data = await readFile(file)
    data[data.length - 5] = (data[data.length - 5] ?? 0) ^ 0xff
    await writeFile(file, data)
    const restarted = service()
    await expect(restarted.getState(profile.id)).resolves.toMatchObject({ status: 'signed-out' })
    expect(log.lines.some((l) => l.includes('token cache discarded'))).toBe(true)
    await expect(readdir(join(dir, 'auth'))).resolves.toEqual([])
  })

  it('says so when the keychain is unavailable, and can keep tokens in memory only', async () => {
    const auth = service({ secrets: new BrokenKeychain() })
    await expect(auth.signIn(profile.id)).rejects.toMatchObject({
      code: 'auth/keychain-unavailable'
    })
    auth.useMemoryStorage()
    await expect(auth.signIn(profile.id)).resolves.toMatchObject({
      status: 'signed-in',
      tokenStorage: 'memory'
    })
    await expect(readdir(join(dir, 'auth'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it("keeps the demo tenant's tokens in memory and never asks the keychain", async () => {
    const asked: string[] = []
    const broken = new BrokenKeychain()
    const auth = service({
      secrets: {
        get: (name) => (asked.push(`get ${name}`), broken.get()),
        set: (name) => (asked.push(`set ${name}`), broken.set()),
        delete: (name) => (asked.push(`delete ${name}`), broken.delete())
      }
    })
    const demo = await profiles.save(
      {
        displayName: 'Demo tenant (Contoso)',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      },
      { endpoints: emu.urls, isDemo: true }
    )
    await expect(auth.signIn(demo.id)).resolves.toMatchObject({
      status: 'signed-in',
      tokenStorage: 'memory'
    })
    await expect(auth.getAccessToken(demo.id, 'management')).resolves.toMatchObject({
      tenantId: emu.tenantId
    })
    await expect(auth.getState(demo.id)).resolves.toMatchObject({ status: 'signed-in' })
    expect(asked).toEqual([])
    await expect(readdir(join(dir, 'auth'))).rejects.toMatchObject({ code: 'ENOENT' })
    // A real profile on the same machine still meets the missing keychain, and is told so.
    await expect(auth.signIn(profile.id)).rejects.toMatchObject({
      code: 'auth/keychain-unavailable',
      message: expect.stringContaining('keep tokens in memory only')
    })
    await expect(auth.getState(profile.id)).resolves.toMatchObject({ tokenStorage: 'keychain' })
    // Choosing memory for the real profile clears its error and leaves the demo's sign-in alone.
    auth.useMemoryStorage()
    expect(states.at(-1)).toMatchObject({
      profileId: profile.id,
      tokenStorage: 'memory',
      error: null
    })
    await expect(auth.getState(demo.id)).resolves.toMatchObject({ status: 'signed-in' })
    await expect(auth.signIn(profile.id)).resolves.toMatchObject({ tokenStorage: 'memory' })
  })

  it('reports an unreachable sign-in service as a network problem', async () => {
    const offline = await profiles.save(
      { ...profile, id: undefined },
      { endpoints: { ...emu.urls, authorityHost: 'https://127.0.0.1:9' } }
    )
    await expect(service().signIn(offline.id)).rejects.toMatchObject({ code: 'auth/network' })
  })

  it('never lets a token, refresh token or key reach a state, a prompt or a log line', async () => {
    const auth = service({
      onDeviceCode: (p) => {
        prompts.push(p)
        emu.entra.approveDeviceCode(p.userCode)
      }
    })
    await auth.signIn(profile.id)
    const second = await profiles.save(
      { ...profile, id: undefined, displayName: 'Device' },
      { endpoints: emu.urls }
    )
    await auth.signIn(second.id, { mode: 'device-code' })
    const access = await auth.getAccessToken(profile.id, 'management')
    const cache = JSON.parse(await cacheJson()) as Record<
      string,
      Record<string, { secret: string }>
    >
    const secretsSeen = [
      access.token,
      ...Object.values(cache['RefreshToken'] ?? {}).map((t) => t.secret),
      ...Object.values(cache['AccessToken'] ?? {}).map((t) => t.secret),
      (await secrets.get(CACHE_KEY_NAME)) ?? 'no key'
    ]
    expect(secretsSeen.length).toBeGreaterThan(3)
    const published = JSON.stringify({
      states,
      prompts,
      log: log.lines,
      list: await auth.listStates()
    })
    for (const secret of secretsSeen) {
      expect(published).not.toContain(secret)
    }
  })
})
