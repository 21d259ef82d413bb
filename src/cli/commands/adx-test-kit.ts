/**
 * Shared set-up of the Azure Data Explorer tests: an emulator with a month of activity, an app
 * registration with a secret, the CA file, and helpers to run `cax pull --source adx` and
 * `cax push adx` and read a store's Ids. Test-only.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { Emulator } from '../../emulator'
import { BearerHttp } from '../../main/services/audit-api/bearer-http'
import { tokenDestination } from '../../main/services/audit-api/token-destination'
import { HttpsClient } from '../../main/services/http/https-client'
import { AdxClient } from '../../main/services/sources/adx/adx-client'
import type { AdxClientOptions } from '../../main/services/sources/adx/adx-client'
import { memoryIo } from '../test-io'
import { lastJson, startEmulatorKit, storedIds } from '../test-support/emulator-kit'

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

/** Starts the emulator (500 events a day, clock frozen at the end of May 2026). */
export async function startAdxKit(): Promise<AdxKit> {
  const kit = await startEmulatorKit({
    appId: ADX_APP_ID,
    secret: ADX_SECRET,
    eventsPerDay: 500,
    seed: 23,
    now: UNTIL,
    tmpPrefix: 'cax-adx-'
  })
  const { emu, dir, caFile } = kit
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
  return {
    emu,
    dir,
    caFile,
    cluster,
    async pull(store, extra = []) {
      const io = memoryIo(tmpdir(), { CAX_ADX_SECRET: ADX_SECRET })
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
      return { code, summary: lastJson(io), err: io.err() }
    },
    async push(store, extra = []) {
      const io = memoryIo(tmpdir(), { CAX_ADX_SECRET: ADX_SECRET })
      const code = await runPush(
        ['adx', ...(store === null ? [] : ['--store', join(dir, store)]), ...auth, ...extra],
        io
      )
      return { code, summary: lastJson(io), err: io.err(), out: io.out() }
    },
    storedIds(store) {
      return storedIds(join(dir, store))
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
    close: () => kit.close()
  }
}
