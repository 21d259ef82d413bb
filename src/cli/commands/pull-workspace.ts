/**
 * `cax pull --source workspace`: reads Power Platform activity from a Log Analytics (Microsoft
 * Sentinel) workspace with KQL into the same crash-safe store as the other pulls.
 */
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import {
  LogAnalyticsClient,
  LogAnalyticsError,
  isWorkspaceId
} from '../../main/services/sources/log-analytics/log-analytics-client'
import { pullWorkspace } from '../../main/services/sources/log-analytics/workspace-pull'
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

/** The Sentinel tables the Office 365 connector fills with Power Platform activity. */
export const DEFAULT_WORKSPACE_TABLES = [
  'PowerPlatformAdminActivity',
  'PowerAutomateActivity',
  'PowerAppsActivity'
]

/** The usage text of `cax pull --source workspace`. */
export const PULL_WORKSPACE_USAGE = `usage: cax pull --source workspace --store <dir> --tenant <guid> --workspace-id <guid> [options]

Reads Power Platform activity from a Log Analytics (Microsoft Sentinel) workspace with KQL.
  --tables <t1,t2>          tables to read (default ${DEFAULT_WORKSPACE_TABLES.join(',')})
Range (default: the last 30 days):
  --since <ISO time> [--until <ISO time>]   or   --days <n>
${RESOURCE_AUTH_USAGE}
  (the app needs Log Analytics Reader on the workspace; the token audience is the cloud's
   Log Analytics API)
  --workspace-api-base <url>  the Log Analytics query API (default: the cloud's)
Tuning:
  --max-rows <n>            the service's row limit per answer (default 500000)
  --max-bytes <n>           the service's size limit per answer (default 67108864)
  --max-attempts <n>        tries per query on 429, 5xx and network failures before the window
                            is recorded as partial (default 6)
  --json                    last line of stdout: { records, new, duplicates, rejected, queries,
                            splits, windows, failedWindows, ... }
Exit codes: 0 everything requested was read; 3 partial (a window failed or a count did not
match; run the same pull again); 2 invalid input; 4 sign-in or permission; 1 other error.
`

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/
const DAY_MS = 86_400_000

const SPEC = {
  ...RESOURCE_AUTH_SPEC,
  source: { type: 'string' },
  store: { type: 'string' },
  'workspace-id': { type: 'string' },
  tables: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  days: { type: 'string' },
  'workspace-api-base': { type: 'string' },
  'max-rows': { type: 'string' },
  'max-bytes': { type: 'string' },
  'max-attempts': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

interface Options {
  store: string
  tenantId: string
  workspaceId: string
  tables: string[]
  since: Date
  until: Date
  profile: ReturnType<typeof cloudOption>['profile']
  base: string
  authorityHost: string
  caFile: string | undefined
  maxRows: number
  maxBytes: number
  maxAttempts: number
  json: boolean
  auth: ResourceAuth
}

/** Runs `cax pull --source workspace`; resolves to the exit code. */
export async function runWorkspacePull(argv: string[], io: CliIo): Promise<number> {
  let options: Options | 'help'
  try {
    options = parse(argv, io)
  } catch (error) {
    io.stderr.write(`cax pull: ${(error as Error).message}\n\n${PULL_WORKSPACE_USAGE}`)
    return ExitCode.invalidInput
  }
  if (options === 'help') {
    io.stdout.write(PULL_WORKSPACE_USAGE)
    return ExitCode.ok
  }
  return pull(options, io)
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
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined || value === '') {
      throw new UsageProblem(`--${name} is required`)
    }
    return value
  }
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p))
  const tenantId = need('tenant', v.tenant)
  if (!GUID.test(tenantId)) {
    throw new UsageProblem(`--tenant must be the tenant GUID (got '${tenantId}')`)
  }
  const workspaceId = need('workspace-id', v['workspace-id'])
  if (!isWorkspaceId(workspaceId)) {
    throw new UsageProblem(
      `--workspace-id must be the workspace's GUID (Log Analytics workspace > Overview > Workspace ID), got '${workspaceId}'`
    )
  }
  const tables = (v.tables ?? DEFAULT_WORKSPACE_TABLES.join(','))
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
  const badTable = tables.find((t) => !TABLE.test(t))
  if (tables.length === 0 || badTable !== undefined) {
    throw new UsageProblem(
      `--tables must be table names separated by commas (got '${badTable ?? ''}')`
    )
  }
  const { profile } = cloudOption(v.cloud)
  // Here the default is also the largest value allowed.
  const int = (name: string, value: string | undefined, max: number): number =>
    wholeNumberOption(name, value, max, max)
  const time = dateTimeOption
  if (v.days !== undefined && v.since !== undefined) {
    throw new UsageProblem('give --since or --days, not both')
  }
  const until = v.until !== undefined ? time('until', v.until) : new Date()
  const since =
    v.since !== undefined
      ? time('since', v.since)
      : new Date(until.getTime() - int('days', v.days ?? '30', 3650) * DAY_MS)
  if (since.getTime() >= until.getTime()) {
    throw new UsageProblem('the range is empty: --since must be earlier than --until')
  }
  return {
    store: path(need('store', v.store)),
    tenantId,
    workspaceId,
    tables,
    since,
    until,
    profile,
    base: httpsUrlOption('workspace-api-base', v['workspace-api-base'], profile.logAnalyticsBase),
    authorityHost: httpsUrlOption('authority-host', v['authority-host'], profile.authorityHost),
    caFile: v['ca-file'] !== undefined ? path(v['ca-file']) : undefined,
    maxRows: int('max-rows', v['max-rows'], 500_000),
    maxBytes: int('max-bytes', v['max-bytes'], 64 * 1024 * 1024),
    maxAttempts: int('max-attempts', v['max-attempts'] ?? '6', 20),
    json: v.json ?? false,
    auth: parseResourceAuth(v, io, path)
  }
}

async function pull(o: Options, io: CliIo): Promise<number> {
  let client: LogAnalyticsClient
  try {
    const signIn = await resourceSignIn(o)
    client = new LogAnalyticsClient({
      http: signIn.bearer('the Log Analytics query API', o.base, {
        resource: o.profile.logAnalyticsResource
      }),
      base: o.base,
      attempts: o.maxAttempts
    })
  } catch (error) {
    return signInFailed(io, 'cax pull', error)
  }
  return runKqlPull(
    io,
    {
      store: o.store,
      json: o.json,
      header: `workspace ${o.workspaceId} tables ${o.tables.join(', ')} ${o.since.toISOString()} – ${o.until.toISOString()} from ${o.base} into ${o.store}`,
      isAuthError: (error) => error instanceof LogAnalyticsError && error.isAuth
    },
    ({ sink, signal, onProgress }) =>
      pullWorkspace(
        {
          tenantId: o.tenantId,
          workspaceId: o.workspaceId,
          tables: o.tables,
          since: o.since,
          until: o.until
        },
        { client, sink, maxRows: o.maxRows, maxBytes: o.maxBytes, signal, onProgress }
      )
  )
}
