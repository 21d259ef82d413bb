/**
 * `cax pull --source adx`: reads audit records from an Azure Data Explorer table (the one
 * `cax push adx` writes, or any table with `TimeGenerated` and a UAL Id column) with KQL into
 * the same crash-safe store as the other pulls, through the shared window planner.
 */
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { ADX_DEFAULT_TABLE, ADX_NAME } from '../../shared/adx/adx-table'
import { adxClusterCloudMismatch, adxResource } from '../../shared/clouds'
import { AppError } from '../../shared/errors'
import { BearerHttp } from '../../main/services/audit-api/bearer-http'
import {
  tokenDestination,
  TokenDestinationError
} from '../../main/services/audit-api/token-destination'
import { AdxClient, AdxError } from '../../main/services/sources/adx/adx-client'
import { pullAdx } from '../../main/services/sources/adx/adx-pull'
import type { KqlPullResult } from '../../main/services/sources/kql/kql-table-pull'
import { FileStore, StoreError } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

import { cloudOption, dateTimeOption, UsageProblem, wholeNumberOption } from './pull-options'
import {
  httpsUrlOption,
  parseResourceAuth,
  RESOURCE_AUTH_SPEC,
  RESOURCE_AUTH_USAGE,
  resourceTokenSource
} from './resource-auth-options'
import type { ResourceAuth } from './resource-auth-options'

/** The usage text of `cax pull --source adx`. */
export const PULL_ADX_USAGE = `usage: cax pull --source adx --store <dir> --tenant <guid> --cluster <url> --database <db> [options]

Reads audit records from an Azure Data Explorer table with KQL (e.g. the one cax push adx writes).
  --table <t1,t2>           tables to read (default ${ADX_DEFAULT_TABLE}); each needs TimeGenerated
                            and Id (or EventOriginalUid / OfficeId)
Range (default: the last 30 days):
  --since <ISO time> [--until <ISO time>]   or   --days <n>
${RESOURCE_AUTH_USAGE}
  (the app or user needs the Viewer role on the database; the token audience is the cluster URL)
Tuning:
  --max-rows <n>            the cluster's truncation row limit (default 500000)
  --max-bytes <n>           the cluster's truncation size limit (default 67108864)
  --max-attempts <n>        tries per query on 429, 5xx and network failures (default 6)
  --json                    last line of stdout: { records, new, duplicates, rejected, queries,
                            splits, windows, failedWindows, ... }
Exit codes: 0 everything requested was read; 3 partial (run the same pull again); 2 invalid
input; 4 sign-in or permission; 1 other error.
`

const DAY_MS = 86_400_000
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const SPEC = {
  ...RESOURCE_AUTH_SPEC,
  source: { type: 'string' },
  store: { type: 'string' },
  cluster: { type: 'string' },
  database: { type: 'string' },
  table: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  days: { type: 'string' },
  'max-rows': { type: 'string' },
  'max-bytes': { type: 'string' },
  'max-attempts': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

interface Options {
  store: string
  tenantId: string
  cluster: string
  database: string
  tables: string[]
  since: Date
  until: Date
  auth: ResourceAuth
  profile: ReturnType<typeof cloudOption>['profile']
  authorityHost: string
  caFile: string | undefined
  maxRows: number
  maxBytes: number
  maxAttempts: number
  json: boolean
}

/** Runs `cax pull --source adx`; resolves to the exit code. */
export async function runAdxPull(argv: string[], io: CliIo): Promise<number> {
  let o: Options | 'help'
  try {
    o = parse(argv, io)
  } catch (error) {
    io.stderr.write(`cax pull: ${(error as Error).message}\n\n${PULL_ADX_USAGE}`)
    return ExitCode.invalidInput
  }
  if (o === 'help') {
    io.stdout.write(PULL_ADX_USAGE)
    return ExitCode.ok
  }
  return pull(o, io)
}

function parse(argv: string[], io: CliIo): Options | 'help' {
  let v: ReturnType<typeof parseArgs<{ options: typeof SPEC; strict: true }>>['values']
  try {
    v = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageProblem((error as Error).message)
  }
  if (v.help) {
    return 'help'
  }
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p))
  if (!v.store) {
    throw new UsageProblem('--store is required')
  }
  const tenantId = v.tenant ?? ''
  if (!GUID.test(tenantId)) {
    throw new UsageProblem(`--tenant must be the tenant GUID (got '${tenantId}')`)
  }
  if (!v.cluster) {
    throw new UsageProblem('--cluster is required (https://<cluster>.<region>.kusto.windows.net)')
  }
  const cluster = httpsUrlOption('cluster', v.cluster)
  const mismatch = adxClusterCloudMismatch(cluster, cloudOption(v.cloud).profile)
  if (mismatch !== undefined) {
    throw new UsageProblem(mismatch)
  }
  const database = v.database ?? ''
  if (!ADX_NAME.test(database)) {
    throw new UsageProblem(`--database must be a database name (got '${database}')`)
  }
  const tables = (v.table ?? ADX_DEFAULT_TABLE).split(',').map((t) => t.trim())
  const bad = tables.find((t) => !ADX_NAME.test(t))
  if (bad !== undefined) {
    throw new UsageProblem(`--table must be table names separated by commas (got '${bad}')`)
  }
  const { profile } = cloudOption(v.cloud)
  const int = (name: string, value: string | undefined, max: number): number =>
    wholeNumberOption(name, value, max, max)
  if (v.days !== undefined && v.since !== undefined) {
    throw new UsageProblem('give --since or --days, not both')
  }
  const until = v.until !== undefined ? dateTimeOption('until', v.until) : new Date()
  const since =
    v.since !== undefined
      ? dateTimeOption('since', v.since)
      : new Date(until.getTime() - int('days', v.days ?? '30', 3650) * DAY_MS)
  if (since.getTime() >= until.getTime()) {
    throw new UsageProblem('the range is empty: --since must be earlier than --until')
  }
  return {
    store: path(v.store),
    tenantId,
    cluster,
    database,
    tables,
    since,
    until,
    auth: parseResourceAuth(v, io, path),
    profile,
    authorityHost: httpsUrlOption('authority-host', v['authority-host'], profile.authorityHost),
    caFile: v['ca-file'] !== undefined ? path(v['ca-file']) : undefined,
    maxRows: int('max-rows', v['max-rows'], 500_000),
    maxBytes: int('max-bytes', v['max-bytes'], 64 * 1024 * 1024),
    maxAttempts: int('max-attempts', v['max-attempts'] ?? '6', 20),
    json: v.json ?? false
  }
}

async function pull(o: Options, io: CliIo): Promise<number> {
  let client: AdxClient
  try {
    const { http, token } = await resourceTokenSource({
      auth: o.auth,
      resource: adxResource(o.cluster),
      profile: o.profile,
      authorityHost: o.authorityHost,
      caFile: o.caFile
    })
    client = new AdxClient({
      http: new BearerHttp({
        http,
        destination: tokenDestination('the Azure Data Explorer cluster', o.cluster),
        token
      }),
      cluster: o.cluster,
      attempts: o.maxAttempts
    })
  } catch (error) {
    io.stderr.write(`cax pull: ${(error as Error).message}\n`)
    return error instanceof AppError ? ExitCode.auth : ExitCode.invalidInput
  }
  let store: FileStore
  try {
    store = await FileStore.open(o.store)
  } catch (error) {
    io.stderr.write(`cax pull: ${(error as Error).message}\n`)
    return error instanceof StoreError ? ExitCode.invalidInput : ExitCode.other
  }
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  io.stderr.write(
    `[pull] adx ${o.cluster} ${o.database} tables ${o.tables.join(', ')} ${o.since.toISOString()} – ${o.until.toISOString()} into ${o.store}\n`
  )
  let result: KqlPullResult | undefined
  let code: number = ExitCode.ok
  try {
    result = await pullAdx(
      {
        tenantId: o.tenantId,
        cluster: o.cluster,
        database: o.database,
        tables: o.tables,
        since: o.since,
        until: o.until
      },
      {
        client,
        sink: store,
        maxRows: o.maxRows,
        maxBytes: o.maxBytes,
        signal: controller.signal,
        onProgress: (line) => io.stderr.write(`${line}\n`)
      }
    )
  } catch (error) {
    code = exitCodeFor(error)
    io.stderr.write(`cax pull: ${error instanceof Error ? error.message : String(error)}\n`)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await store.close().catch((error: unknown) => {
      io.stderr.write(`cax pull: closing the store failed: ${(error as Error).message}\n`)
      code = ExitCode.other
    })
  }
  if (!result) {
    if (o.json) {
      io.stdout.write(`${JSON.stringify({ error: code, stored: store.size })}\n`)
    }
    return code
  }
  const isPartial = result.windows.partial > 0 || result.windows.failed > 0
  for (const w of result.failedWindows) {
    io.stderr.write(
      `[pull] ${w.status} ${w.contentType} ${w.start} – ${w.end}: ${w.error ? `${w.error.code} ${w.error.message}` : 'no reason recorded'}\n`
    )
  }
  if (isPartial) {
    io.stderr.write('[pull] run the same pull again to fill in what is missing\n')
  }
  io.stdout.write(
    o.json
      ? `${JSON.stringify({ ...result, stored: store.size })}\n`
      : `${result.new} new records stored (${store.size} in the store); ${result.duplicates} duplicates; ${result.rejected} rejected; ${result.queries} queries, ${result.splits} split; windows: ${result.windows.complete} complete, ${result.windows.listed} not settled yet, ${result.windows.partial} partial, ${result.windows.failed} failed, ${result.windows.skipped} already complete\n`
  )
  return isPartial ? ExitCode.partial : ExitCode.ok
}

/** Exit code of a pull or push that stopped on an error. */
export function adxExitCodeFor(error: unknown): number {
  return exitCodeFor(error)
}

function exitCodeFor(error: unknown): number {
  if (error instanceof AppError && error.code.startsWith('auth/')) {
    return ExitCode.auth
  }
  if (error instanceof AdxError && error.isAuth) {
    return ExitCode.auth
  }
  if (error instanceof TokenDestinationError) {
    return ExitCode.other
  }
  if (error instanceof Error && error.message === 'interrupted') {
    return ExitCode.partial
  }
  return ExitCode.other
}
