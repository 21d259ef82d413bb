/**
 * `cax push loganalytics`: pushes a store (or a snapshot) into a Log Analytics `_CL` table
 * through a data collection rule (the Logs Ingestion API), resumable from a journal, each part
 * counted back with a query. `--print-definitions` prints the table and rule for the admin.
 */
import { createHash, randomUUID } from 'node:crypto'
import { isAbsolute, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import { logsIngestionScope } from '../../shared/clouds'
import type { NormalizedRecord } from '../../shared/audit'
import { PushJournal, PushJournalError } from '../../main/services/destinations/push-journal'
import {
  PushSourceChanged,
  partCounter,
  pushToLogAnalytics,
  MAX_CALL_BYTES
} from '../../main/services/destinations/log-analytics/log-analytics-push'
import type { LogAnalyticsPushResult } from '../../main/services/destinations/log-analytics/log-analytics-push'
import {
  LogsIngestionClient,
  LogsIngestionError
} from '../../main/services/destinations/log-analytics/logs-ingestion-client'
import {
  DEFAULT_TABLE,
  isCustomTableName,
  ruleDefinition,
  streamFor,
  tableDefinition
} from '../../main/services/destinations/log-analytics/table-definition'
import {
  LogAnalyticsClient,
  LogAnalyticsError,
  isWorkspaceId
} from '../../main/services/sources/log-analytics/log-analytics-client'
import { SnapshotReader } from '../../main/services/snapshot/snapshot-reader'
import { FileStore, StoreError } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

import { stopExitCode } from './kql-pull-run'
import { cloudOption, UsageProblem, wholeNumberOption } from './pull-options'
import {
  httpsUrlOption,
  parseResourceAuth,
  RESOURCE_AUTH_SPEC,
  RESOURCE_AUTH_USAGE,
  resourceSignIn,
  signInFailed
} from './resource-auth-options'
import type { ResourceAuth } from './resource-auth-options'

/** Usage of `cax push loganalytics`. */
export const PUSH_LOGANALYTICS_USAGE = `usage: cax push loganalytics (--store <dir> | --snapshot <file>) --tenant <guid>
         --endpoint <url> --rule-id <dcr-…> --workspace-id <guid> [options]
       cax push loganalytics --print-definitions [--table <name>_CL]
         [--workspace-resource-id <id>] [--location <region>] [--retention-days <n>]

Pushes the records into a custom table (default ${DEFAULT_TABLE}) through a data collection
rule (Logs Ingestion API), in parts under the 1 MB call limit. Every row carries PushRun and
PushPart; each part is counted back with a query before it is called done. The journal makes
the push resumable: run the same command again after a crash or Ctrl+C, and nothing is lost or
sent twice. UAL Id is the column UalId (Id is reserved); query by EventTime (ingestion replaces a
TimeGenerated older than two days with the time of ingestion).
  --print-definitions       print { table, dataCollectionRule } JSON for the admin to deploy
  --endpoint <url>          the rule's logs ingestion endpoint (or its data collection endpoint)
  --rule-id <dcr-…>         the rule's immutable id
  --table <name>_CL         the table (default ${DEFAULT_TABLE}); the stream is Custom-<table>
  --workspace-id <guid>     the workspace, for the count queries
  --journal <file>          default: <store>/push-loganalytics.ndjson or <snapshot>.push-loganalytics.ndjson
${RESOURCE_AUTH_USAGE}
  (the app needs Monitoring Metrics Publisher on the rule and Log Analytics Reader on the
   workspace; with --access-token-env the token is for the Logs Ingestion API and
   --query-token-env <VAR> names a second one, for the Log Analytics query API)
  --workspace-api-base <url>  the Log Analytics query API (default: the cloud's)
Tuning:
  --max-part-bytes <n>      largest part, bytes of JSON (default 1000000, at most ${MAX_CALL_BYTES})
  --ingestion-latency <s>   how long rows may take to show in queries (default 600)
  --poll <s>                between count queries while waiting (default 30)
  --json                    last line of stdout: the push's account
Exit codes: 0 every part sent and counted back; 3 partial (a part not yet counted back, or one
that cannot be sent: run it again later); 2 invalid input; 4 sign-in or permission; 1 other.
`

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const RULE_ID = /^dcr-[0-9a-f]{32}$/

const SPEC = {
  ...RESOURCE_AUTH_SPEC,
  store: { type: 'string' },
  snapshot: { type: 'string' },
  endpoint: { type: 'string' },
  'rule-id': { type: 'string' },
  table: { type: 'string' },
  'workspace-id': { type: 'string' },
  journal: { type: 'string' },
  'print-definitions': { type: 'boolean' },
  'workspace-resource-id': { type: 'string' },
  location: { type: 'string' },
  'retention-days': { type: 'string' },
  'workspace-api-base': { type: 'string' },
  'query-token-env': { type: 'string' },
  'max-part-bytes': { type: 'string' },
  'ingestion-latency': { type: 'string' },
  poll: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

interface PushOptions {
  source: { kind: 'store'; path: string } | { kind: 'snapshot'; path: string }
  tenantId: string
  endpoint: string
  ruleId: string
  table: string
  workspaceId: string
  journal: string
  profile: ReturnType<typeof cloudOption>['profile']
  base: string
  authorityHost: string
  caFile: string | undefined
  auth: ResourceAuth
  /** With a given token (`--access-token-env`): the one for the Log Analytics query API. */
  queryToken: string | undefined
  maxPartBytes: number
  latencyMs: number
  pollMs: number
  json: boolean
}

/** Runs `cax push loganalytics`; resolves to the exit code. */
export async function runLogAnalyticsPush(argv: string[], io: CliIo): Promise<number> {
  let parsed: PushOptions | 'help' | { definitions: string }
  try {
    parsed = parse(argv, io)
  } catch (error) {
    io.stderr.write(
      `cax push loganalytics: ${(error as Error).message}\n\n${PUSH_LOGANALYTICS_USAGE}`
    )
    return ExitCode.invalidInput
  }
  if (parsed === 'help') {
    io.stdout.write(PUSH_LOGANALYTICS_USAGE)
    return ExitCode.ok
  }
  if ('definitions' in parsed) {
    io.stdout.write(parsed.definitions)
    return ExitCode.ok
  }
  return push(parsed, io)
}

function parse(argv: string[], io: CliIo): PushOptions | 'help' | { definitions: string } {
  let v: ReturnType<typeof parseArgs<{ options: typeof SPEC; strict: true }>>['values']
  try {
    v = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageProblem((error as Error).message)
  }
  if (v.help) {
    return 'help'
  }
  const table = v.table ?? DEFAULT_TABLE
  if (!isCustomTableName(table)) {
    throw new UsageProblem(
      `--table must be a custom table name ending in _CL (letters, digits, _), got '${table}'`
    )
  }
  if (v['print-definitions']) {
    const retention =
      v['retention-days'] !== undefined
        ? wholeNumberOption('retention-days', v['retention-days'], 30, 4383)
        : undefined
    const definitions = {
      table: tableDefinition(table, retention),
      dataCollectionRule: ruleDefinition({
        table,
        workspaceResourceId:
          v['workspace-resource-id'] ??
          '/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.OperationalInsights/workspaces/<workspace-name>',
        location: v.location ?? '<workspace-region>'
      }),
      stream: streamFor(table)
    }
    return { definitions: `${JSON.stringify(definitions, null, 2)}\n` }
  }
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined || value === '') {
      throw new UsageProblem(`--${name} is required`)
    }
    return value
  }
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p))
  if ((v.store === undefined) === (v.snapshot === undefined)) {
    throw new UsageProblem('give --store <dir> or --snapshot <file> (one of them)')
  }
  const source: PushOptions['source'] =
    v.store !== undefined
      ? { kind: 'store', path: path(v.store) }
      : { kind: 'snapshot', path: path(v.snapshot ?? '') }
  const tenantId = need('tenant', v.tenant)
  if (!GUID.test(tenantId)) {
    throw new UsageProblem(`--tenant must be the tenant GUID (got '${tenantId}')`)
  }
  const workspaceId = need('workspace-id', v['workspace-id'])
  if (!isWorkspaceId(workspaceId)) {
    throw new UsageProblem(`--workspace-id must be the workspace's GUID (got '${workspaceId}')`)
  }
  const ruleId = need('rule-id', v['rule-id'])
  if (!RULE_ID.test(ruleId)) {
    throw new UsageProblem(
      `--rule-id must be the rule's immutable id, dcr- and 32 hex digits (got '${ruleId}')`
    )
  }
  const { profile } = cloudOption(v.cloud)
  const auth = parseResourceAuth(v, io, path)
  let queryToken: string | undefined
  if (auth.kind === 'token') {
    const name = need('query-token-env', v['query-token-env'])
    queryToken = io.env[name]
    if (!queryToken) {
      throw new UsageProblem(
        `the environment variable ${name} (--query-token-env) is empty or unset`
      )
    }
  } else if (v['query-token-env'] !== undefined) {
    throw new UsageProblem('--query-token-env goes with --access-token-env')
  }
  return {
    source,
    tenantId,
    endpoint: httpsUrlOption('endpoint', need('endpoint', v.endpoint)),
    ruleId,
    table,
    workspaceId,
    journal: path(
      v.journal ??
        (source.kind === 'store'
          ? resolve(source.path, 'push-loganalytics.ndjson')
          : `${source.path}.push-loganalytics.ndjson`)
    ),
    profile,
    base: httpsUrlOption('workspace-api-base', v['workspace-api-base'], profile.logAnalyticsBase),
    authorityHost: httpsUrlOption('authority-host', v['authority-host'], profile.authorityHost),
    caFile: v['ca-file'] !== undefined ? path(v['ca-file']) : undefined,
    auth,
    queryToken,
    maxPartBytes: wholeNumberOption(
      'max-part-bytes',
      v['max-part-bytes'],
      1_000_000,
      MAX_CALL_BYTES
    ),
    latencyMs:
      v['ingestion-latency'] === '0'
        ? 0
        : wholeNumberOption('ingestion-latency', v['ingestion-latency'], 600, 86_400) * 1000,
    pollMs: wholeNumberOption('poll', v.poll, 30, 3600) * 1000,
    json: v.json ?? false
  }
}

async function push(o: PushOptions, io: CliIo): Promise<number> {
  const ingestionAudience = { scope: logsIngestionScope(o.profile) }
  const queryAudience = { resource: o.profile.logAnalyticsResource }
  let ingestion: LogsIngestionClient
  let query: LogAnalyticsClient
  try {
    const signIn = await resourceSignIn({
      ...o,
      ...(o.queryToken !== undefined
        ? { givenByAudience: new Map([[queryAudience.resource, o.queryToken]]) }
        : {})
    })
    ingestion = new LogsIngestionClient({
      // The token for the rule goes to the endpoint the admin gave, nowhere else.
      http: signIn.bearer('the Logs Ingestion API', o.endpoint, ingestionAudience),
      endpoint: o.endpoint,
      ruleId: o.ruleId,
      stream: streamFor(o.table),
      onThrottled: (ms) =>
        io.stderr.write(`[push] throttled (429): waiting ${Math.ceil(ms / 1000)} s as asked\n`)
    })
    query = new LogAnalyticsClient({
      http: signIn.bearer('the Log Analytics query API', o.base, queryAudience),
      base: o.base
    })
  } catch (error) {
    return signInFailed(io, 'cax push loganalytics', error)
  }
  const countParts = partCounter(query, o.workspaceId, o.table)
  const target = `${o.endpoint}|${o.ruleId}|${streamFor(o.table)}|${o.workspaceId.toLowerCase()}`

  let records: () => AsyncIterable<NormalizedRecord>
  let total: number | undefined
  let identitySource: string
  /**
   * A snapshot cannot change: its run is named by what it holds (its fingerprint), the target and
   * the part size, so a journal lost or deleted is not a new run — the rerun asks the workspace
   * which of the same parts it already has. A store grows and changes: its runs stay random.
   */
  let stableRunId: string | undefined
  let close: () => Promise<void>
  try {
    if (o.source.kind === 'store') {
      const store = await FileStore.open(o.source.path)
      records = () => store.records()
      total = store.size
      identitySource = `store:${o.source.path}`
      close = () => store.close()
    } else {
      const reader = await SnapshotReader.open(o.source.path)
      records = () => reader.records()
      total = undefined
      identitySource = `snapshot:${o.source.path}`
      stableRunId = createHash('sha256')
        .update(`loganalytics\n${target}\n${reader.manifest.manifestSha256}\n${o.maxPartBytes}\n`)
        .digest('hex')
        .slice(0, 16)
      close = async () => reader.close()
    }
  } catch (error) {
    io.stderr.write(`cax push loganalytics: ${(error as Error).message}\n`)
    return error instanceof StoreError ? ExitCode.invalidInput : ExitCode.other
  }
  let journal: PushJournal | undefined
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let result: LogAnalyticsPushResult | undefined
  let code: number = ExitCode.ok
  try {
    journal = await PushJournal.open(
      o.journal,
      {
        destination: 'loganalytics',
        target,
        source: identitySource
      },
      () => stableRunId ?? randomUUID().slice(0, 8)
    )
    io.stderr.write(
      `[push] ${journal.isResumed ? 'resuming' : 'starting'} run ${journal.runId}: ${identitySource} → ${o.table} via ${o.ruleId} (journal ${o.journal})\n`
    )
    result = await pushToLogAnalytics({
      records,
      journal,
      ingestion,
      countParts,
      maxPartBytes: o.maxPartBytes,
      isRunIdStable: stableRunId !== undefined,
      latencyMs: o.latencyMs,
      pollMs: o.pollMs,
      ...(total !== undefined ? { total } : {}),
      signal: controller.signal,
      onProgress: (line) => io.stderr.write(`${line}\n`)
    })
  } catch (error) {
    code = exitCodeFor(error)
    io.stderr.write(
      `cax push loganalytics: ${error instanceof Error ? error.message : String(error)}\n`
    )
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await journal?.close().catch(() => undefined)
    await close().catch(() => undefined)
  }
  if (!result) {
    if (o.json) {
      io.stdout.write(`${JSON.stringify({ error: code })}\n`)
    }
    return code
  }
  const isPartial = result.unverified.length > 0 || result.failures.length > 0
  for (const u of result.unverified) {
    io.stderr.write(`[push] part ${u.tag}: ${u.found} of ${u.expected} rows counted so far\n`)
  }
  for (const f of result.failures) {
    io.stderr.write(`[push] part ${f.tag} failed: ${f.reason}\n`)
  }
  if (isPartial) {
    io.stderr.write('[push] run the same push again later to finish and count it back\n')
  }
  io.stdout.write(
    o.json
      ? `${JSON.stringify(result)}\n`
      : `${result.records} records read; ${result.sentRecords} sent in ${result.parts.sent} parts (${result.parts.resent} resent, ${result.parts.foundPresent} found already there, ${result.parts.split} split, ${result.parts.skipped} done earlier); ${result.parts.verified} parts counted back; ${result.throttled} throttled waits\n`
  )
  return isPartial ? ExitCode.partial : ExitCode.ok
}

function exitCodeFor(error: unknown): number {
  if (error instanceof PushJournalError || error instanceof PushSourceChanged) {
    return ExitCode.invalidInput
  }
  return stopExitCode(
    error,
    (e) => (e instanceof LogsIngestionError || e instanceof LogAnalyticsError) && e.isAuth
  )
}
