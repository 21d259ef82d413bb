/**
 * `cax pull`: pulls audit content (Management Activity API, and Graph history with --history)
 * into a crash-safe local store folder. Progress goes to stderr; with --json the last line of
 * stdout is a JSON summary.
 */
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { reachableSince } from '../../shared/acquisition'
import { CLOUDS } from '../../shared/clouds'
import type { CloudId } from '../../shared/clouds'
import { AppError } from '../../shared/errors'
import { AcquisitionError, SYNC_DEFAULTS, SyncEngine } from '../../main/services/acquisition'
import type { SyncProgress, SyncResult, TokenProvider } from '../../main/services/acquisition'
import { AppOnlyAuth, readCertificateCredential } from '../../main/services/auth/app-only-auth'
import type { AppCredential } from '../../main/services/auth/app-only-auth'
import { HttpsClient } from '../../main/services/http/https-client'
import { findImportWorker } from '../../main/services/import'
import { StderrLogger } from '../../main/services/logging/logger'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

import { cloudOption, dateTimeOption, UsageProblem, wholeNumberOption } from './pull-options'
import { openPullStore } from './kql-pull-run'
import { runAdxPull } from './pull-adx'
import { runWorkspacePull } from './pull-workspace'
import { signInFailed } from './resource-auth-options'

/** The usage text of `cax pull`. */
export const PULL_USAGE = `usage: cax pull --store <dir> --tenant <guid> [options]
       cax pull --source workspace ...   (a Log Analytics / Sentinel workspace; --source workspace --help)
       cax pull --source adx ...         (an Azure Data Explorer table; --source adx --help)

Range (default: the last 7 days the Management API keeps):
  --since <ISO time> [--until <ISO time>]   or   --days <n>
  --history                 use the Graph audit query for the part older than 7 days
  --all-records             Graph: every record type (default: Power Platform only)
  --content-type <type>     Management content type, repeatable (default Audit.General)
Sign-in (app-only, one of):
  --client-id <id> --certificate <pem> [--private-key <pem>]
  --client-id <id> --client-secret-env <VAR>
  --access-token-env <VAR>  a Management API token another tool obtained (never printed)
  --graph-access-token-env <VAR>  the same for Graph (with --history)
Endpoints:
  --cloud commercial|gcc|gcc-high|dod   --api-base <url>  --graph-base <url>
  --authority-host <url>    --ca-file <pem>  (an extra CA to trust)
Tuning:
  --publisher-id <guid>     (default: the tenant)   --concurrency <n> (default ${SYNC_DEFAULTS.concurrency})
  --budget <requests/min>   (default ${SYNC_DEFAULTS.budgetPerMinute})
  --max-attempts <n>        tries per blob, listing and Graph query before it is recorded as
                            failed (default ${SYNC_DEFAULTS.maxAttempts}; Graph queries ${SYNC_DEFAULTS.graphQueryAttempts})
Output:
  --json                    last line of stdout: { records, new, duplicates, rejected, gaps,
                            windows, failedWindows, ... }
A window that keeps failing is recorded (with the server's reason) and the pull goes on with the
others; run the same pull again to fill it in.
Exit codes: 0 everything requested was collected; 3 partial (gaps, failed blobs or windows, or
the pull was interrupted); 2 invalid input; 4 sign-in or permission; 6 the tenant's content
subscription is off or not serving yet (AF20022/AF20023: start it, or wait 15 minutes after a
restart, and run again); 1 other error.
`

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DAY_MS = 86_400_000

interface PullOptions {
  store: string
  tenantId: string
  since: Date
  until: Date
  contentTypes: string[]
  history: boolean
  allRecords: boolean
  json: boolean
  cloud: CloudId
  apiBase: string
  graphBase: string
  authorityHost: string
  caFile: string | undefined
  publisherId: string
  concurrency: number
  budget: number
  maxAttempts: number | undefined
  auth:
    | { kind: 'app'; clientId: string; credential: () => Promise<AppCredential> }
    | { kind: 'token'; management: string; graph: string | undefined }
}

/** Runs `cax pull`; resolves to the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const source = sourceOf(argv)
  if (source === 'workspace') {
    return runWorkspacePull(argv, io)
  }
  if (source === 'adx') {
    return runAdxPull(argv, io)
  }
  if (source !== undefined && source !== 'management') {
    io.stderr.write(
      `cax pull: --source must be management, workspace or adx (got '${source}')\n\n${PULL_USAGE}`
    )
    return ExitCode.invalidInput
  }
  let options: PullOptions | 'help'
  try {
    options = parse(argv, io)
  } catch (error) {
    io.stderr.write(`cax pull: ${(error as Error).message}\n\n${PULL_USAGE}`)
    return ExitCode.invalidInput
  }
  if (options === 'help') {
    io.stdout.write(PULL_USAGE)
    return ExitCode.ok
  }
  return pull(options, io)
}

/** The value of `--source` (`--source x` or `--source=x`), if given. */
function sourceOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--source') {
      return argv[i + 1] ?? ''
    }
    if (arg.startsWith('--source=')) {
      return arg.slice('--source='.length)
    }
  }
  return undefined
}

function parse(argv: string[], io: CliIo): PullOptions | 'help' {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof SPEC; strict: true; allowPositionals: false }>
  >
  try {
    parsed = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false })
  } catch (error) {
    throw new UsageProblem((error as Error).message)
  }
  const v = parsed.values
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
  const { cloud, profile } = cloudOption(v.cloud)
  const int = wholeNumberOption
  const time = dateTimeOption
  const now = Date.now()
  if (v.days !== undefined && v.since !== undefined) {
    throw new UsageProblem('give --since or --days, not both')
  }
  const until = v.until !== undefined ? time('until', v.until) : new Date(now)
  const days = int('days', v.days, 7, 3650)
  let since: Date
  if (v.since !== undefined) {
    since = time('since', v.since)
  } else {
    since = new Date(until.getTime() - days * DAY_MS)
    // "The last 7 days" means everything the Management API still keeps: start at its reach
    // rather than record the few minutes before it as a gap.
    const reach = reachableSince(7 * 24, new Date(now))
    if (!v.history && days <= 7 && since.getTime() < reach.getTime()) {
      since = reach
    }
  }
  if (since.getTime() >= until.getTime()) {
    throw new UsageProblem('the range is empty: --since must be earlier than --until')
  }
  const contentTypes =
    v['content-type'] && v['content-type'].length > 0 ? v['content-type'] : ['Audit.General']
  let auth: PullOptions['auth']
  const tokenVar = v['access-token-env']
  if (tokenVar !== undefined) {
    const token = io.env[tokenVar]
    if (!token) {
      throw new UsageProblem(
        `the environment variable ${tokenVar} (--access-token-env) is empty or unset`
      )
    }
    const graphVar = v['graph-access-token-env']
    const graph = graphVar !== undefined ? io.env[graphVar] : undefined
    if (graphVar !== undefined && !graph) {
      throw new UsageProblem(
        `the environment variable ${graphVar} (--graph-access-token-env) is empty or unset`
      )
    }
    if (v.history && !graph) {
      throw new UsageProblem(
        '--history with --access-token-env also needs --graph-access-token-env'
      )
    }
    auth = { kind: 'token', management: token, graph }
  } else {
    if (v.certificate === undefined && v['client-secret-env'] === undefined) {
      throw new UsageProblem(
        'sign-in needed: --certificate, --client-secret-env or --access-token-env'
      )
    }
    const clientId = need('client-id', v['client-id'])
    if (v.certificate !== undefined) {
      const cert = path(v.certificate)
      const key = v['private-key'] !== undefined ? path(v['private-key']) : cert
      auth = { kind: 'app', clientId, credential: () => readCertificateCredential(cert, key) }
    } else if (v['client-secret-env'] !== undefined) {
      const name = v['client-secret-env']
      const secret = io.env[name]
      if (!secret) {
        throw new UsageProblem(
          `the environment variable ${name} (--client-secret-env) is empty or unset`
        )
      }
      auth = { kind: 'app', clientId, credential: async () => ({ kind: 'secret', secret }) }
    } else {
      throw new UsageProblem(
        'sign-in needed: --certificate, --client-secret-env or --access-token-env'
      )
    }
  }
  const publisherId = v['publisher-id'] ?? tenantId
  if (!GUID.test(publisherId)) {
    throw new UsageProblem('--publisher-id must be a GUID')
  }
  const url = (name: string, value: string | undefined, fallback: string): string => {
    const text = (value ?? fallback).replace(/\/+$/, '')
    try {
      const u = new URL(text)
      if (u.protocol !== 'https:') {
        throw new Error('not https')
      }
    } catch {
      throw new UsageProblem(`--${name} must be an https:// URL (got '${text}')`)
    }
    return text
  }
  return {
    store: path(need('store', v.store)),
    tenantId,
    since,
    until,
    contentTypes,
    history: v.history ?? false,
    allRecords: v['all-records'] ?? false,
    json: v.json ?? false,
    cloud,
    apiBase: url('api-base', v['api-base'], profile.managementApiBase),
    graphBase: url('graph-base', v['graph-base'], profile.graphBase),
    authorityHost: url('authority-host', v['authority-host'], profile.authorityHost),
    caFile: v['ca-file'] !== undefined ? path(v['ca-file']) : undefined,
    publisherId,
    concurrency: int('concurrency', v.concurrency, SYNC_DEFAULTS.concurrency, 64),
    budget: int('budget', v.budget, SYNC_DEFAULTS.budgetPerMinute, 1_000_000),
    maxAttempts:
      v['max-attempts'] !== undefined ? int('max-attempts', v['max-attempts'], 1, 20) : undefined,
    auth
  }
}

const SPEC = {
  store: { type: 'string' },
  tenant: { type: 'string' },
  'client-id': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  days: { type: 'string' },
  'content-type': { type: 'string', multiple: true },
  cloud: { type: 'string' },
  'api-base': { type: 'string' },
  'graph-base': { type: 'string' },
  'authority-host': { type: 'string' },
  'ca-file': { type: 'string' },
  certificate: { type: 'string' },
  'private-key': { type: 'string' },
  'client-secret-env': { type: 'string' },
  'access-token-env': { type: 'string' },
  'graph-access-token-env': { type: 'string' },
  'publisher-id': { type: 'string' },
  concurrency: { type: 'string' },
  budget: { type: 'string' },
  'max-attempts': { type: 'string' },
  history: { type: 'boolean' },
  'all-records': { type: 'boolean' },
  source: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

async function pull(o: PullOptions, io: CliIo): Promise<number> {
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
  let token: TokenProvider
  if (o.auth.kind === 'token') {
    const { management, graph } = o.auth
    token = async (resource) => {
      const t = resource === 'management' ? management : graph
      if (!t) {
        throw new AppError('auth/failed', `No ${resource} token was given.`)
      }
      return t
    }
  } else {
    let credential: AppCredential
    try {
      credential = await o.auth.credential()
    } catch (error) {
      return signInFailed(io, 'cax pull', error)
    }
    const auth = new AppOnlyAuth({
      clientId: o.auth.clientId,
      tenantId: o.tenantId,
      credential,
      endpoints: {
        authorityHost: o.authorityHost,
        managementApiBase: o.apiBase,
        managementResource: profile.managementResource,
        graphBase: o.graphBase,
        graphResource: profile.graphResource,
        hasGraphAuditQuery: profile.hasGraphAuditQuery
      },
      http,
      log
    })
    token = appOnlyTokens(auth)
  }

  const store = await openPullStore(io, o.store)
  if (typeof store === 'number') {
    return store
  }
  if (store.recovery.recordBytesCut > 0 || store.recovery.batchesReplayed > 0) {
    io.stderr.write(
      `[pull] recovered the store after an interrupted run: ${store.recovery.recordBytesCut} uncommitted bytes cut, ${store.recovery.batchesReplayed} batch(es) replayed into the ledger\n`
    )
  }
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const engine = new SyncEngine({
    http,
    managementApiBase: o.apiBase,
    graphBase: o.graphBase,
    publisherId: o.publisherId,
    token,
    sink: store,
    // Blob records are normalized on the import's worker threads when running from the bundle.
    normalizeWorkers: { script: findImportWorker(import.meta.url) },
    log,
    concurrency: o.concurrency,
    budgetPerMinute: o.budget,
    ...(o.maxAttempts !== undefined
      ? { maxAttempts: o.maxAttempts, graphRetry: { attempts: o.maxAttempts } }
      : {})
  })
  let lastPrint = 0
  const onProgress = (p: SyncProgress): void => {
    const now = Date.now()
    if (p.phase !== 'done' && now - lastPrint < 1000) {
      return
    }
    lastPrint = now
    io.stderr.write(`${progressLine(p)}\n`)
  }
  io.stderr.write(
    `[pull] ${o.since.toISOString()} – ${o.until.toISOString()} from ${o.apiBase} into ${o.store}\n`
  )
  let result: SyncResult | undefined
  let code: number = ExitCode.ok
  try {
    result = await engine.run(
      {
        tenantId: o.tenantId,
        contentTypes: o.contentTypes,
        since: o.since,
        until: o.until,
        history: o.history,
        allRecords: o.allRecords
      },
      { signal: controller.signal, onProgress }
    )
  } catch (error) {
    code = exitCodeFor(error)
    io.stderr.write(`cax pull: ${describe(error)}\n`)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await store.close().catch((error: unknown) => {
      io.stderr.write(`cax pull: closing the store failed: ${(error as Error).message}\n`)
      code = ExitCode.other
    })
  }
  if (result) {
    const isPartial =
      result.gaps > 0 ||
      result.blobs.failed > 0 ||
      result.windows.failed > 0 ||
      result.windows.partial > 0
    code = isPartial ? ExitCode.partial : ExitCode.ok
    const summary = {
      records: result.records,
      new: result.new,
      duplicates: result.duplicates,
      rejected: result.rejected,
      gaps: result.gaps,
      windows: result.windows,
      blobs: result.blobs,
      requests: result.requests,
      throttled: result.throttleEvents,
      windowRuleErrors: result.windowRuleErrors,
      failedWindows: result.failedWindows,
      stored: store.size
    }
    io.stderr.write(
      `[pull] done: ${result.records} records (${result.new} new, ${result.duplicates} duplicates, ${result.rejected} rejected), ${result.gaps} gap(s), ${result.blobs.failed} failed blob(s), ${result.requests} requests\n`
    )
    for (const e of result.errors.slice(-5)) {
      io.stderr.write(`[pull] error seen: ${e.code} ${e.message}\n`)
    }
    for (const w of result.failedWindows) {
      io.stderr.write(
        `[pull] ${w.status} ${w.source} ${w.contentType} ${w.start} – ${w.end}: ${w.error ? `${w.error.code} ${w.error.message}` : 'no reason recorded'}\n`
      )
    }
    if (isPartial) {
      io.stderr.write('[pull] run the same pull again to fill in what is missing\n')
    }
    if (o.json) {
      io.stdout.write(`${JSON.stringify(summary)}\n`)
    } else {
      io.stdout.write(
        `${summary.new} new records stored (${summary.stored} in the store); ${summary.duplicates} duplicates; ${summary.gaps} gaps; windows: ${summary.windows.complete} complete, ${summary.windows.partial} partial, ${summary.windows.failed} failed\n`
      )
    }
  } else if (o.json) {
    io.stdout.write(`${JSON.stringify({ error: code, stored: store.size })}\n`)
  }
  return code
}

function progressLine(p: SyncProgress): string {
  const where = p.window ? `${p.window.contentType} ${p.window.start.slice(0, 16)}Z` : '-'
  const throttle = p.throttle.isThrottled ? ` throttled until ${p.throttle.resumesAt ?? '?'}` : ''
  return `[pull] ${p.phase} ${where} windows ${p.windowsDone}/${p.windowsPlanned} blobs ${p.blobsDone}/${p.blobsListed} (skipped ${p.blobsSkipped}, failed ${p.blobsFailed}, expired ${p.blobsExpired}) records ${p.records} new ${p.new} dup ${p.duplicates} requests ${p.requests}${throttle}`
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function exitCodeFor(error: unknown): number {
  if (error instanceof AppError && error.code.startsWith('auth/')) {
    return ExitCode.auth
  }
  if (error instanceof AcquisitionError) {
    if (error.code === 'invalid-request') {
      return ExitCode.invalidInput
    }
    if (
      error.code === 'config' &&
      (error.apiCode === 'HTTP_401' ||
        error.apiCode === 'AF10001' ||
        error.apiCode === 'AF20010' ||
        error.apiCode === 'Forbidden')
    ) {
      return ExitCode.auth
    }
    if (error.code === 'cancelled') {
      return ExitCode.partial
    }
    if (error.code === 'subscription') {
      return ExitCode.subscription
    }
  }
  return ExitCode.other
}

/**
 * The engine's token provider over app-only auth. After a 401 the engine asks again with
 * `forceRefresh`, which must reach Entra ID rather than MSAL's cache (management-api.md §7
 * item 10: refresh the token and retry once).
 */
export function appOnlyTokens(auth: Pick<AppOnlyAuth, 'getAccessToken'>): TokenProvider {
  return async (resource, forceRefresh) =>
    (await auth.getAccessToken(resource, forceRefresh === true)).token
}
