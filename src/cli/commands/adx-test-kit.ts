/**
 * Shared set-up of the Azure Data Explorer tests: an emulator with a month of activity, an app
 * registration with a secret, the CA file, and helpers to run `cax pull --source adx` and
 * `cax push adx` and read a store's Ids. Test-only.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { SCENARIOS, startEmulator } from '../../emulator'
import type { Emulator } from '../../emulator'
import { BearerHttp } from '../../main/services/audit-api/bearer-http'
import { tokenDestination } from '../../main/services/audit-api/token-destination'
import { HttpsClient } from '../../main/services/http/https-client'
import { AdxClient } from '../../main/services/sources/adx/adx-client'
import type { AdxClientOptions } from '../../main/services/sources/adx/adx-client'
import { FileStore } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'

import { run as runPull } from './pull'
import { run as runPush } from './push'

export const ADX_APP_ID = '5c4b3a29-1111-4222-8333-944455556666'
export const ADX_SECRET = 'adx-secret'
export const SINCE = new Date('2026-05-01T00:00:00Z')
export const UNTIL = new Date('2026-06-01T00:00:00Z')
export const DB = 'AuditHistory'

/** A running kit. */
export interface AdxKit {
  emu: Emulator
  dir: string
  caFile: string
  cluster: string
  pull(
    store: string,
    extra?: string[]
  ): Promise<{ code: number; summary: Record<string, unknown>; err: string }>
  /** `store` null: no `--store` (give `--snapshot` in `extra`). */
  push(
    store: string | null,
    extra?: string[]
  ): Promise<{ code: number; summary: Record<string, unknown>; err: string; out: string }>
  storedIds(store: string): Promise<string[]>
  /** An ADX client with a cached app-only token from the emulator (service-level tests);
   * `tokenCalls` lists each token request's `forceRefresh`. */
  client(options?: Partial<AdxClientOptions>): { client: AdxClient; tokenCalls: boolean[] }
  close(): Promise<void>
}

function memoryIo(env: Record<string, string>): CliIo & { out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env,
    cwd: tmpdir()
  }
}

/** Starts the emulator (500 events a day, clock frozen at the end of May 2026). */
export async function startAdxKit(): Promise<AdxKit> {
  const emu = await startEmulator({
    scenario: {
      ...SCENARIOS.clean,
      generator: { ...SCENARIOS.clean.generator, eventsPerDay: 500 }
    },
    seed: 23,
    now: UNTIL
  })
  emu.entra.setClientSecret(ADX_APP_ID, ADX_SECRET)
  const dir = await mkdtemp(join(tmpdir(), 'cax-adx-'))
  const caFile = join(dir, 'ca.pem')
  await writeFile(caFile, emu.caCertPem)
  const cluster = emu.urls.kustoClusterUrl
  const auth = [
    '--tenant',
    emu.tenantId,
    '--client-id',
    ADX_APP_ID,
    '--client-secret-env',
    'CAX_ADX_SECRET',
    '--authority-host',
    emu.urls.authorityHost,
    '--ca-file',
    caFile,
    '--cluster',
    cluster,
    '--database',
    DB,
    '--json'
  ]
  const lastJson = (io: { out: string[] }): Record<string, unknown> => {
    try {
      return JSON.parse(io.out.join('').trim().split('\n').pop() || '{}') as Record<string, unknown>
    } catch {
      return {}
    }
  }
  return {
    emu,
    dir,
    caFile,
    cluster,
    async pull(store, extra = []) {
      const io = memoryIo({ CAX_ADX_SECRET: ADX_SECRET })
      const code = await runPull(
        [
          '--source',
          'adx',
          '--store',
          join(dir, store),
          '--since',
          SINCE.toISOString(),
          '--until',
          UNTIL.toISOString(),
          ...auth,
          ...extra
        ],
        io
      )
      return { code, summary: lastJson(io), err: io.err.join('') }
    },
    async push(store, extra = []) {
      const io = memoryIo({ CAX_ADX_SECRET: ADX_SECRET })
      const code = await runPush(
        ['adx', ...(store === null ? [] : ['--store', join(dir, store)]), ...auth, ...extra],
        io
      )
      return { code, summary: lastJson(io), err: io.err.join(''), out: io.out.join('') }
    },
    async storedIds(store) {
      const s = await FileStore.open(join(dir, store))
      const ids: string[] = []
      try {
        for await (const r of s.records()) {
          ids.push(r.id)
        }
      } finally {
        await s.close()
      }
      return ids
    },
    client(options = {}) {
      const http = new HttpsClient({ extraCaPem: emu.caCertPem })
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: ADX_APP_ID,
        client_secret: ADX_SECRET,
        scope: `${new URL(cluster).origin}/.default`
      })
      const tokenCalls: boolean[] = []
      let cached: string | undefined
      const fetchToken = async (): Promise<string> => {
        const res = await http.send({
          method: 'POST',
          url: `${emu.urls.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: form.toString()
        })
        return (JSON.parse(res.text) as { access_token: string }).access_token
      }
      const token = async (forceRefresh: boolean): Promise<string> => {
        tokenCalls.push(forceRefresh)
        if (cached === undefined || forceRefresh) {
          cached = await fetchToken()
        }
        return cached
      }
      const client = new AdxClient({
        http: new BearerHttp({
          http,
          destination: tokenDestination('the Azure Data Explorer cluster', cluster),
          token
        }),
        cluster,
        ...options
      })
      return { client, tokenCalls }
    },
    async close() {
      await emu.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
