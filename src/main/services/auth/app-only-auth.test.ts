import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { generate } from 'selfsigned'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startEmulator, type Emulator } from '../../../emulator'
import { CLOUDS } from '../../../shared/clouds'
import { HttpsClient, isLoopbackHost } from '../http/https-client'
import { MemoryLogger } from '../logging/logger'

import { AppOnlyAuth, readCertificateCredential } from './app-only-auth'
import type { ProfileEndpoints } from './auth-service'

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >
}

describe('AppOnlyAuth with real MSAL against the emulated Entra ID', () => {
  let emu: Emulator
  let http: HttpsClient
  let endpoints: ProfileEndpoints
  let dir: string
  let certFile: string
  let keyFile: string
  const appId = '0b8f6f0e-1111-4222-8333-944445555666'

  beforeAll(async () => {
    emu = await startEmulator({ seed: 5 })
    http = new HttpsClient({ extraCaPem: emu.caCertPem, allowHost: isLoopbackHost })
    endpoints = {
      ...emu.urls,
      managementResource: CLOUDS.commercial.managementResource,
      graphResource: CLOUDS.commercial.graphResource,
      hasGraphAuditQuery: true
    }
    const pems = await generate([{ name: 'commonName', value: 'cax-cli' }], { keySize: 2048 })
    dir = await mkdtemp(join(tmpdir(), 'cax-app-only-'))
    certFile = join(dir, 'cert.pem')
    keyFile = join(dir, 'key.pem')
    await writeFile(certFile, pems.cert)
    await writeFile(keyFile, pems.private)
    emu.entra.registerClientCertificate(appId, pems.cert)
    emu.entra.setClientSecret(appId, 'correct-horse')
  })

  afterAll(async () => {
    await emu.close()
    await rm(dir, { recursive: true, force: true })
  })

  const auth = (
    credential: ConstructorParameters<typeof AppOnlyAuth>[0]['credential']
  ): AppOnlyAuth =>
    new AppOnlyAuth({
      clientId: appId,
      tenantId: emu.tenantId,
      credential,
      endpoints,
      http,
      log: new MemoryLogger()
    })

  it('gets a Management API token with a certificate assertion', async () => {
    const token = await auth(await readCertificateCredential(certFile, keyFile)).getAccessToken(
      'management'
    )
    expect(claims(token.token)).toMatchObject({
      aud: CLOUDS.commercial.managementResource,
      tid: emu.tenantId
    })
    expect(claims(token.token)['roles']).toEqual(expect.arrayContaining(['ActivityFeed.Read']))
  })

  it('gets a token with a client secret', async () => {
    const token = await auth({ kind: 'secret', secret: 'correct-horse' }).getAccessToken('graph')
    expect(claims(token.token)['aud']).toBe(CLOUDS.commercial.graphResource)
  })

  it('serves repeats from the cache, and asks Entra ID again on forceRefresh', async () => {
    const app = auth({ kind: 'secret', secret: 'correct-horse' })
    const first = await app.getAccessToken('management')
    const requests = (): number => emu.entra.requestCounts()['token'] ?? 0
    const before = requests()
    expect((await app.getAccessToken('management')).token).toBe(first.token)
    expect(requests()).toBe(before)
    const fresh = await app.getAccessToken('management', true)
    expect(requests()).toBe(before + 1)
    expect(claims(fresh.token)).toMatchObject({ aud: CLOUDS.commercial.managementResource })
    // the new token replaces the cached one
    expect((await app.getAccessToken('management')).token).toBe(fresh.token)
    expect(requests()).toBe(before + 1)
  })

  it('refuses a wrong secret with a specific code', async () => {
    await expect(
      auth({ kind: 'secret', secret: 'wrong' }).getAccessToken('management')
    ).rejects.toMatchObject({
      code: 'auth/invalid-client'
    })
  })

  it('refuses a certificate the app registration does not know', async () => {
    const other = await generate([{ name: 'commonName', value: 'stranger' }], { keySize: 2048 })
    await expect(
      auth({
        kind: 'certificate',
        certificatePem: other.cert,
        privateKeyPem: other.private
      }).getAccessToken('management')
    ).rejects.toMatchObject({ code: 'auth/invalid-client' })
  })

  it('says which file is wrong when the key file holds no key', async () => {
    await expect(readCertificateCredential(certFile, certFile)).rejects.toMatchObject({
      code: 'auth/invalid-client'
    })
  })
})
