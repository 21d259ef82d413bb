/**
 * `cax pull --source adx`: reads audit records from an Azure Data Explorer table (the one
 * `cax push adx` writes, or any table with `TimeGenerated` and a UAL Id column) with KQL into
 * the same crash-safe store as the other pulls, through the shared window planner.
 */
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { ADX_DEFAULT_TABLE, ADX_NAME } from '../../shared/adx/adx-table'
import { adxClusterCloudMismatch, adxResource } from '../../shared/clouds'
import { AdxClient, AdxError } from '../../main/services/sources/adx/adx-client'
import { pullAdx } from '../../main/services/sources/adx/adx-pull'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

import { runKqlPull } from './kql-pull-run'
import { cloudOption, dateTimeOption, UsageProblem, wholeNumberOption } from './pull-options'
import {
  httpsUrlOption,
  parseResourceAuth,
  RESOURCE_AUTH_SPEC,
  RESOURCE_AUTH_USAGE,
  resourceSignIn,
  signInFailed
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
    client = await adxClient(o, o.maxAttempts)
  } catch (error) {
    return signInFailed(io, 'cax pull', error)
  }
  return runKqlPull(
    io,
    {
      store: o.store,
      json: o.json,
      header: `adx ${o.cluster} ${o.database} tables ${o.tables.join(', ')} ${o.since.toISOString()} – ${o.until.toISOString()} into ${o.store}`,
      isAuthError: isAdxAuthError
    },
    ({ sink, signal, onProgress }) =>
      pullAdx(
        {
          tenantId: o.tenantId,
          cluster: o.cluster,
          database: o.database,
          tables: o.tables,
          since: o.since,
          until: o.until
        },
        { client, sink, maxRows: o.maxRows, maxBytes: o.maxBytes, signal, onProgress }
      )
  )
}

/** Signs in and builds the client of the cluster (token audience: the cluster URL). */
export async function adxClient(
  o: Pick<Options, 'auth' | 'cluster' | 'profile' | 'authorityHost' | 'caFile'>,
  attempts: number
): Promise<AdxClient> {
  const signIn = await resourceSignIn(o)
  return new AdxClient({
    http: signIn.bearer('the Azure Data Explorer cluster', o.cluster, {
      resource: adxResource(o.cluster)
    }),
    cluster: o.cluster,
    attempts
  })
}

/** Whether the cluster refused the sign-in or the permission. */
export function isAdxAuthError(error: unknown): boolean {
  return error instanceof AdxError && error.isAuth
}
