/**
 * What the UI side can make main fetch (issue 10), through the contract both transports use:
 * the contract refuses endpoints and the demo flag, a change of tenant, app, cloud or endpoints
 * signs a signed-in profile out (its account and cached tokens removed), and a ledger sent with
 * `acquire:start` cannot point a download at another host. Real app core, real MSAL, the demo
 * tenant's emulator, and a loopback HTTPS server as the attacker's host.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { blobKey } from '../../shared/acquisition'
import type { LedgerDelta } from '../../shared/acquisition'
import type { AuthState, Profile } from '../../shared/profiles'
import type { AppCore } from '../app-core'
import { CACHE_KEY_NAME, decryptCache } from '../services/auth/encrypted-token-cache'
import { startRecordingServer } from '../services/http/recording-server'
import { MemorySecretStore } from '../services/auth/secret-store'

import { dispatchValue, startTestCore } from './test-core'

const OTHER_TENANT = '11111111-2222-4333-8444-555555555555'

describe('profile channels: where tokens go is set by main only', () => {
  let dir: string
  let core: AppCore
  let secrets: MemorySecretStore
  let close: () => Promise<void>

  beforeEach(async () => {
    secrets = new MemorySecretStore()
    ;({ dir, core, close } = await startTestCore('cax-profiles-rpc-', { secrets, demoPort: 0 }))
  })

  afterEach(() => close())

  const call = <T>(channel: string, input: unknown): Promise<T> =>
    dispatchValue<T>(core, channel, input)

  /** How many accounts and tokens the MSAL cache files of the data folder hold. */
  async function tokenCache(): Promise<{ accounts: number; tokens: number; text: string }> {
    const folder = join(dir, 'data', 'auth')
    const key = Buffer.from((await secrets.get(CACHE_KEY_NAME)) ?? '', 'base64')
    const files = (await readdir(folder)).filter((f) => f.startsWith('token-cache-'))
    const texts = await Promise.all(
      files.map(async (f) => decryptCache(await readFile(join(folder, f)), key))
    )
    const caches = texts.map((t) => JSON.parse(t) as Record<string, Record<string, unknown>>)
    const count = (section: string): number =>
      caches.reduce((n, c) => n + Object.keys(c[section] ?? {}).length, 0)
    return {
      accounts: count('Account'),
      tokens: count('AccessToken') + count('RefreshToken') + count('IdToken'),
      text: texts.join('\n')
    }
  }

  const fields = {
    displayName: 'Contoso',
    tenant: 'contoso.onmicrosoft.com',
    clientId: '5d1f0a4e-2222-4333-8444-955556666777',
    cloud: 'commercial',
    signInMode: 'interactive'
  }

  it.each([
    [
      'endpoints',
      {
        endpoints: {
          authorityHost: 'https://evil.example',
          managementApiBase: 'https://evil.example',
          graphBase: 'https://evil.example'
        }
      }
    ],
    ['the demo flag', { isDemo: true }]
  ])('refuses %s in profiles:save and saves nothing', async (_what, extra) => {
    const result = await core.dispatch('profiles:save', { ...fields, ...extra })
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc/invalid-input' } })
    expect(await call('profiles:list', {})).toEqual([])
  })

  it('an edit from the UI keeps what main set; changing the tenant signs out and drops the tokens', async () => {
    const states: AuthState[] = []
    core.bus.subscribe((name, payload) => {
      if (name === 'auth:did-change') {
        states.push(payload as AuthState)
      }
    })
    const demo = await call<Profile>('demo:open', {})
    expect(demo).toMatchObject({ isDemo: true, endpoints: expect.any(Object) })
    const signedIn = await call<AuthState>('auth:sign-in', { profileId: demo.id })
    expect(signedIn.status).toBe('signed-in')
    expect(await call('auth:test-connection', { profileId: demo.id })).toMatchObject({ ok: true })
    // The demo's tokens are throwaway and live in memory only (issue 12): no cache file, no key.
    await expect(tokenCache()).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await secrets.get(CACHE_KEY_NAME)).toBeNull()

    // Same tenant, app and cloud: a rename keeps the endpoints, the demo flag and the sign-in.
    const edit = {
      id: demo.id,
      displayName: 'Renamed demo',
      tenant: demo.tenant,
      clientId: demo.clientId,
      cloud: demo.cloud,
      signInMode: demo.signInMode
    }
    const renamed = await call<Profile>('profiles:save', edit)
    expect(renamed).toMatchObject({
      displayName: 'Renamed demo',
      endpoints: demo.endpoints,
      isDemo: true,
      accountHomeId: demo.accountHomeId ?? expect.any(String)
    })

    // Another tenant: signed out, the account and its tokens removed from the cache.
    const moved = await call<Profile>('profiles:save', { ...edit, tenant: OTHER_TENANT })
    expect(moved.accountHomeId).toBeUndefined()
    expect(moved.endpoints).toEqual(demo.endpoints)
    expect(states.at(-1)).toMatchObject({ profileId: demo.id, status: 'signed-out' })
    await expect(tokenCache()).rejects.toMatchObject({ code: 'ENOENT' })

    // Back to the first tenant: still signed out, because nothing was kept to come back to.
    await call<Profile>('profiles:save', edit)
    const listed = await call<AuthState[]>('auth:list-states', {})
    expect(listed.find((s) => s.profileId === demo.id)?.status).toBe('signed-out')
    expect(
      await core.dispatch('acquire:start', {
        profileId: demo.id,
        clientId: 'w',
        since: new Date(Date.now() - 3_600_000).toISOString(),
        until: new Date().toISOString(),
        history: false,
        allRecords: false,
        ledger: { version: 1, windows: {}, blobs: {}, queries: {} }
      })
    ).toMatchObject({ ok: false, error: { code: 'auth/interaction-required' } })
  })

  it('a ledger sent with acquire:start cannot point a download at another host', async () => {
    const attacker = await startRecordingServer(401)
    try {
      const demo = await call<Profile>('demo:open', {})
      await call<AuthState>('auth:sign-in', { profileId: demo.id })
      const now = Date.now()
      const created = new Date(now - 5 * 3_600_000).toISOString()
      const contentId =
        '20261120065101000000000$20261120060000000000003$audit_general$Audit_General$na0020'
      const key = blobKey(demo.tenant, contentId)
      const deltas: LedgerDelta[] = []
      const finished = new Promise<{ status: string }>((resolve) => {
        core.bus.subscribe((name, payload) => {
          if (name === 'acquire:did-produce-batch') {
            const push = payload as {
              jobId: string
              batchId: number
              count: number
              ledger: LedgerDelta
            }
            deltas.push(push.ledger)
            void core.dispatch('acquire:ack-batch', {
              jobId: push.jobId,
              batchId: push.batchId,
              outcome: { ok: true, new: push.count, duplicates: 0 }
            })
          } else if (name === 'acquire:did-finish') {
            resolve(payload as { status: string })
          }
        })
      })
      await call('acquire:start', {
        profileId: demo.id,
        clientId: 'w',
        since: new Date(now - 2 * 3_600_000).toISOString(),
        until: new Date(now).toISOString(),
        history: false,
        allRecords: false,
        ledger: {
          version: 1,
          windows: {},
          queries: {},
          blobs: {
            [key]: {
              key,
              tenantId: demo.tenant,
              contentType: 'Audit.General',
              contentId,
              contentUri: `${attacker.origin}/steal`,
              contentCreated: created,
              contentExpiration: new Date(now + 6 * 86_400_000).toISOString(),
              windowKey: 'w',
              status: 'pending',
              received: 0,
              new: 0,
              duplicate: 0,
              rejected: 0,
              attempts: 0,
              lastError: null,
              listedAt: created,
              finishedAt: null
            }
          }
        }
      })
      expect((await finished).status).toMatch(/complete|partial/)
      expect(attacker.requests).toEqual([])
      // The planted blob was handled at the demo tenant's own base (it does not exist there).
      const planted = deltas.flatMap((d) => d.blobs).filter((b) => b.key === key)
      expect(planted.at(-1)).toMatchObject({ status: 'failed', lastError: { code: 'AF20050' } })
      expect(JSON.stringify(deltas)).not.toContain(attacker.origin)
    } finally {
      await attacker.close()
    }
  })
})
