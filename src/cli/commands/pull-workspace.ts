/**
 * `cax pull --source workspace`: reads Power Platform activity from a Log Analytics (Microsoft
 * Sentinel) workspace with KQL into the same crash-safe store as the other pulls.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { CLOUDS } from '../../shared/clouds'
import type { CloudId } from '../../shared/clouds'
import { AppError } from '../../shared/errors'
import { BearerHttp } from '../../main/services/audit-api/bearer-http'
import { tokenDestination } from '../../main/services/audit-api/token-destination'
import { TokenDestinationError } from '../../main/services/audit-api/token-destination'
import { AppOnlyAuth, readCertificateCredential } from '../../main/services/auth/app-only-auth'
import type { AppCredential } from '../../main/services/auth/app-only-auth'
import { HttpsClient } from '../../main/services/http/https-client'
import { StderrLogger } from '../../main/services/logging/logger'
import {
  LogAnalyticsClient,
  LogAnalyticsError,
  isWorkspaceId
} from '../../main/services/sources/log-analytics/log-analytics-client'
import { pullWorkspace } from '../../main/services/sources/log-analytics/workspace-pull'
import type { WorkspacePullResult } from '../../main/services/sources/log-analytics/workspace-pull'
import { FileStore, StoreError } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

import { cloudOption, dateTimeOption, UsageProblem, wholeNumberOption } from './pull-options'

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
Sign-in (app-only, one of; the app needs Log Analytics Reader on the workspace):
  --client-id <id> --certificate <pem> [--private-key <pem>]
  --client-id <id> --client-secret-env <VAR>
  --access-token-env <VAR>  a Log Analytics token another tool obtained (never printed)
Endpoints:
  --cloud commercial|gcc|gcc-high|dod   --workspace-api-base <url>
  --authority-host <url>    --ca-file <pem>  (an extra CA to trust)
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
  source: { type: 'string' },
  store: { type: 'string' },
  tenant: { type: 'string' },
  'workspace-id': { type: 'string' },
  tables: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  days: { type: 'string' },
  cloud: { type: 'string' },
  'workspace-api-base': { type: 'string' },
  'authority-host': { type: 'string' },
  'ca-file': { type: 'string' },
  'client-id': { type: 'string' },
  certificate: { type: 'string' },
  'private-key': { type: 'string' },
  'client-secret-env': { type: 'string' },
  'access-token-env': { type: 'string' },
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
  cloud: CloudId
  base: string
  authorityHost: string
  caFile: string | undefined
  maxRows: number
  maxBytes: number
  maxAttempts: number
  json: boolean
  auth:
    | { kind: 'app'; clientId: string; credential: () => Promise<AppCredential> }
    | { kind: 'token'; token: string }
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
  const { cloud, profile } = cloudOption(v.cloud)
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
  const url = (name: string, value: string | undefined, fallback: string): string => {
    const text = (value ?? fallback).replace(/\/+$/, '')
    try {
      if (new URL(text).protocol !== 'https:') {
        throw new Error('not https')
      }
    } catch {
      throw new UsageProblem(`--${name} must be an https:// URL (got '${text}')`)
    }
    return text
  }
  let auth: Options['auth']
  if (v['access-token-env'] !== undefined) {
    const name = v['access-token-env']
    const token = io.env[name]
    if (!token) {
      throw new UsageProblem(
        `the environment variable ${name} (--access-token-env) is empty or unset`
      )
    }
    auth = { kind: 'token', token }
  } else if (v.certificate !== undefined) {
    const cert = path(v.certificate)
    const key = v['private-key'] !== undefined ? path(v['private-key']) : cert
    auth = {
      kind: 'app',
      clientId: need('client-id', v['client-id']),
      credential: () => readCertificateCredential(cert, key)
    }
  } else if (v['client-secret-env'] !== undefined) {
    const name = v['client-secret-env']
    const secret = io.env[name]
    if (!secret) {
      throw new UsageProblem(
        `the environment variable ${name} (--client-secret-env) is empty or unset`
      )
    }
    auth = {
      kind: 'app',
      clientId: need('client-id', v['client-id']),
      credential: async () => ({ kind: 'secret', secret })
    }
  } else {
    throw new UsageProblem(
      'sign-in needed: --certificate, --client-secret-env or --access-token-env'
    )
  }
  return {
    store: path(need('store', v.store)),
    tenantId,
    workspaceId,
    tables,
    since,
    until,
    cloud,
    base: url('workspace-api-base', v['workspace-api-base'], profile.logAnalyticsBase),
    authorityHost: url('authority-host', v['authority-host'], profile.authorityHost),
    caFile: v['ca-file'] !== undefined ? path(v['ca-file']) : undefined,
    maxRows: int('max-rows', v['max-rows'], 500_000),
    maxBytes: int('max-bytes', v['max-bytes'], 64 * 1024 * 1024),
    maxAttempts: int('max-attempts', v['max-attempts'] ?? '6', 20),
    json: v.json ?? false,
    auth
  }
}

async function pull(o: Options, io: CliIo): Promise<number> {
  let caPem: string | undefined
  if (o.caFile) {
    try {
      caPem = await readFile(o.caFile, 'utf8')
    } catch (error) {
      io.stderr.write(`cax pull: cannot read --ca-file ${o.caFile}: ${(error as Error).message}\n`)
      return ExitCode.invalidInput
    }
  }
  const http = new HttpsClient(caPem ? { extraCaPem: caPem } : {})
  const log = new StderrLogger()
  const profile = CLOUDS[o.cloud]
  let token: (forceRefresh: boolean) => Promise<string>
  if (o.auth.kind === 'token') {
    const given = o.auth.token
    token = async () => given
  } else {
    let credential: AppCredential
    try {
      credential = await o.auth.credential()
    } catch (error) {
      io.stderr.write(`cax pull: ${(error as Error).message}\n`)
      return error instanceof AppError ? ExitCode.auth : ExitCode.invalidInput
    }
    const auth = new AppOnlyAuth({
      clientId: o.auth.clientId,
      tenantId: o.tenantId,
      credential,
      endpoints: {
        authorityHost: o.authorityHost,
        managementApiBase: profile.managementApiBase,
        managementResource: profile.managementResource,
        graphBase: profile.graphBase,
        graphResource: profile.graphResource,
        hasGraphAuditQuery: profile.hasGraphAuditQuery
      },
      http,
      log
    })
    token = async (force) =>
      (await auth.getResourceToken(profile.logAnalyticsResource, force)).token
  }
  const client = new LogAnalyticsClient({
    http: new BearerHttp({
      http,
      destination: tokenDestination('the Log Analytics query API', o.base),
      token
    }),
    base: o.base,
    attempts: o.maxAttempts
  })
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
    `[pull] workspace ${o.workspaceId} tables ${o.tables.join(', ')} ${o.since.toISOString()} – ${o.until.toISOString()} from ${o.base} into ${o.store}\n`
  )
  let result: WorkspacePullResult | undefined
  let code: number = ExitCode.ok
  try {
    result = await pullWorkspace(
      {
        tenantId: o.tenantId,
        workspaceId: o.workspaceId,
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
  code = isPartial ? ExitCode.partial : ExitCode.ok
  for (const w of result.failedWindows) {
    io.stderr.write(
      `[pull] ${w.status} ${w.contentType} ${w.start} – ${w.end}: ${w.error ? `${w.error.code} ${w.error.message}` : 'no reason recorded'}\n`
    )
  }
  if (isPartial) {
    io.stderr.write('[pull] run the same pull again to fill in what is missing\n')
  }
  const summary = { ...result, stored: store.size }
  io.stdout.write(
    o.json
      ? `${JSON.stringify(summary)}\n`
      : `${result.new} new records stored (${store.size} in the store); ${result.duplicates} duplicates; ${result.rejected} rejected; ${result.queries} queries, ${result.splits} split; windows: ${result.windows.complete} complete, ${result.windows.listed} not settled yet, ${result.windows.partial} partial, ${result.windows.failed} failed, ${result.windows.skipped} already complete\n`
  )
  return code
}

function exitCodeFor(error: unknown): number {
  if (error instanceof AppError && error.code.startsWith('auth/')) {
    return ExitCode.auth
  }
  if (error instanceof LogAnalyticsError && error.isAuth) {
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
