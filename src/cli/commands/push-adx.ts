/**
 * `cax push adx`: pushes a store's records into an Azure Data Explorer table — the table and
 * its JSON mapping generated (and printed with `--print-definitions`), gzip NDJSON parts sent
 * by streaming ingestion (or `.ingest inline` with ingest-by tags), a journal to resume from
 * after a crash, and a count query verifying every part.
 */
import { randomUUID } from 'node:crypto'
import { isAbsolute, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

import {
  ADX_DEFAULT_TABLE,
  ADX_NAME,
  adxCreateMappingCommand,
  adxCreateTableCommand
} from '../../shared/adx/adx-table'
import { adxClusterCloudMismatch } from '../../shared/clouds'
import {
  ADX_DEFAULT_PART_BYTES,
  ADX_DEFAULT_PART_RECORDS,
  ADX_STREAMING_MAX_BYTES,
  pushToAdx
} from '../../main/services/destinations/adx/adx-push'
import type { AdxPushResult } from '../../main/services/destinations/adx/adx-push'
import { PushJournal, PushJournalError } from '../../main/services/destinations/push-journal'
import { AdxClient } from '../../main/services/sources/adx/adx-client'
import { SnapshotFormatError, SnapshotReader, verifySnapshot } from '../../main/services/snapshot'
import { FileStore, StoreError } from '../../main/services/store/file-store'
import type { NormalizedRecord } from '../../shared/audit'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

import { stopExitCode } from './kql-pull-run'
import { adxClient, isAdxAuthError } from './pull-adx'
import { cloudOption, UsageProblem, wholeNumberOption } from './pull-options'
import {
  httpsUrlOption,
  parseResourceAuth,
  RESOURCE_AUTH_SPEC,
  RESOURCE_AUTH_USAGE,
  signInFailed
} from './resource-auth-options'
import type { ResourceAuth } from './resource-auth-options'

/** The usage text of `cax push adx`. */
export const PUSH_ADX_USAGE = `usage: cax push adx (--store <dir> | --snapshot <file>) --cluster <url> --database <db> [options]

Pushes the records of a store (or of a snapshot, verified first) into an Azure Data Explorer
table, resumably.
  --table <name>            the table (default ${ADX_DEFAULT_TABLE}); created or extended with
                            .create-merge, with the JSON mapping <table>_cax_v1
  --print-definitions       print the table and mapping commands and exit (nothing is sent)
  --journal <file>          the resume journal (default <store>/push-adx-<host>-<db>-<table>.journal.ndjson,
                            or <snapshot>.push-adx-….journal.ndjson beside a snapshot);
                            run the same command again after a crash to resume
  --mode streaming|inline   streaming ingestion of gzip parts (default; needs the streaming
                            ingestion policy on the table or database) or .ingest inline with
                            ingest-by tags (no policy needed; small volumes)
  --max-part-bytes <n>      uncompressed NDJSON per part (default ${ADX_DEFAULT_PART_BYTES}, at most ${ADX_STREAMING_MAX_BYTES})
  --max-part-records <n>    records per part (default ${ADX_DEFAULT_PART_RECORDS})
  --max-attempts <n>        tries per request on 429, 5xx and network failures (default 6)
${RESOURCE_AUTH_USAGE}
  (the app needs the Ingestor and Viewer roles on the database, and Admin the first time, to
   create the table and mapping; the token audience is the cluster URL)
  --json                    last line of stdout: { records, parts, sent, skipped, verified,
                            unverified, bytes, compressedBytes, requests, throttled, journal }
Exit codes: 0 every part verified; 3 some part did not verify or the push was interrupted (run it
again); 2 invalid input; 4 sign-in or permission; 5 the snapshot failed verification; 1 other error.
`

const SPEC = {
  ...RESOURCE_AUTH_SPEC,
  store: { type: 'string' },
  snapshot: { type: 'string' },
  cluster: { type: 'string' },
  database: { type: 'string' },
  table: { type: 'string' },
  journal: { type: 'string' },
  mode: { type: 'string' },
  'print-definitions': { type: 'boolean' },
  'max-part-bytes': { type: 'string' },
  'max-part-records': { type: 'string' },
  'max-attempts': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

interface Options {
  /** The store folder or the snapshot file the records come from. */
  source: { kind: 'store' | 'snapshot'; path: string }
  cluster: string
  database: string
  table: string
  journal: string
  mode: 'streaming' | 'inline'
  maxPartBytes: number
  maxPartRecords: number
  maxAttempts: number
  auth: ResourceAuth
  profile: ReturnType<typeof cloudOption>['profile']
  authorityHost: string
  caFile: string | undefined
  json: boolean
}

/** Runs `cax push adx`; resolves to the exit code. */
export async function runAdxPush(argv: string[], io: CliIo): Promise<number> {
  let o: Options | 'help' | { print: string }
  try {
    o = parse(argv, io)
  } catch (error) {
    io.stderr.write(`cax push adx: ${(error as Error).message}\n\n${PUSH_ADX_USAGE}`)
    return ExitCode.invalidInput
  }
  if (o === 'help') {
    io.stdout.write(PUSH_ADX_USAGE)
    return ExitCode.ok
  }
  if ('print' in o) {
    io.stdout.write(o.print)
    return ExitCode.ok
  }
  return push(o, io)
}

function parse(argv: string[], io: CliIo): Options | 'help' | { print: string } {
  let v: ReturnType<typeof parseArgs<{ options: typeof SPEC; strict: true }>>['values']
  try {
    v = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageProblem((error as Error).message)
  }
  if (v.help) {
    return 'help'
  }
  const table = v.table ?? ADX_DEFAULT_TABLE
  if (!ADX_NAME.test(table)) {
    throw new UsageProblem(`--table must be a table name (letters, digits, _; got '${table}')`)
  }
  if (v['print-definitions']) {
    return { print: `${adxCreateTableCommand(table)}\n\n${adxCreateMappingCommand(table)}\n` }
  }
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p))
  if ((v.store === undefined) === (v.snapshot === undefined)) {
    throw new UsageProblem('give --store <dir> or --snapshot <file> (one of them)')
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
  const mode = v.mode ?? 'streaming'
  if (mode !== 'streaming' && mode !== 'inline') {
    throw new UsageProblem(`--mode must be streaming or inline (got '${mode}')`)
  }
  const { profile } = cloudOption(v.cloud)
  const source =
    v.store !== undefined
      ? { kind: 'store' as const, path: path(v.store) }
      : { kind: 'snapshot' as const, path: path(v.snapshot ?? '') }
  const host = new URL(cluster).host.replace(/[^A-Za-z0-9.-]/g, '_')
  const journalName = `push-adx-${host}-${database}-${table}.journal.ndjson`
  return {
    source,
    cluster,
    database,
    table,
    journal:
      v.journal !== undefined
        ? path(v.journal)
        : source.kind === 'store'
          ? join(source.path, journalName)
          : `${source.path}.${journalName}`,
    mode,
    maxPartBytes: wholeNumberOption(
      'max-part-bytes',
      v['max-part-bytes'],
      ADX_DEFAULT_PART_BYTES,
      ADX_STREAMING_MAX_BYTES
    ),
    maxPartRecords: wholeNumberOption(
      'max-part-records',
      v['max-part-records'],
      ADX_DEFAULT_PART_RECORDS,
      1_000_000
    ),
    maxAttempts: wholeNumberOption('max-attempts', v['max-attempts'], 6, 20),
    auth: parseResourceAuth(v, io, path),
    profile,
    authorityHost: httpsUrlOption('authority-host', v['authority-host'], profile.authorityHost),
    caFile: v['ca-file'] !== undefined ? path(v['ca-file']) : undefined,
    json: v.json ?? false
  }
}

async function push(o: Options, io: CliIo): Promise<number> {
  let client: AdxClient
  try {
    client = await adxClient(o, o.maxAttempts)
  } catch (error) {
    return signInFailed(io, 'cax push adx', error)
  }
  let records: RecordSource
  try {
    records = await openRecords(o.source, io)
  } catch (error) {
    io.stderr.write(`cax push adx: ${(error as Error).message}\n`)
    return error instanceof SnapshotTampered
      ? ExitCode.tampered
      : error instanceof StoreError || error instanceof SnapshotFormatError
        ? ExitCode.invalidInput
        : ExitCode.other
  }
  let journal: PushJournal
  try {
    journal = await PushJournal.open(
      o.journal,
      {
        destination: 'adx',
        target: `${o.cluster}/${o.database}/${o.table}`,
        settings: { mode: o.mode, maxPartBytes: o.maxPartBytes, maxPartRecords: o.maxPartRecords }
      },
      () => randomUUID().slice(0, 8)
    )
  } catch (error) {
    await records.close()
    io.stderr.write(`cax push adx: ${(error as Error).message}\n`)
    return error instanceof PushJournalError ? ExitCode.invalidInput : ExitCode.other
  }
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const resumed = journal.all().filter((p) => p.status === 'verified').length
  io.stderr.write(
    `[push] ${records.total} records from ${o.source.path} to ${o.cluster} ${o.database}.${o.table} (${o.mode}); journal ${o.journal}${resumed > 0 ? ` (resuming: ${resumed} parts verified before)` : ''}\n`
  )
  let result: AdxPushResult | undefined
  let code: number = ExitCode.ok
  try {
    result = await pushToAdx({
      client,
      database: o.database,
      table: o.table,
      records: () => records.records(),
      total: records.total,
      journal,
      mode: o.mode,
      maxPartBytes: o.maxPartBytes,
      maxPartRecords: o.maxPartRecords,
      signal: controller.signal,
      onProgress: (line) => io.stderr.write(`${line}\n`)
    })
  } catch (error) {
    code = stopExitCode(error, isAdxAuthError)
    io.stderr.write(`cax push adx: ${error instanceof Error ? error.message : String(error)}\n`)
    if (code === ExitCode.partial || code === ExitCode.other) {
      io.stderr.write('[push] run the same command again to resume from the journal\n')
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await journal.close()
    await records.close()
  }
  if (!result) {
    if (o.json) {
      io.stdout.write(`${JSON.stringify({ error: code, journal: o.journal })}\n`)
    }
    return code
  }
  const summary = { ...result, journal: o.journal }
  io.stdout.write(
    o.json
      ? `${JSON.stringify(summary)}\n`
      : `${result.records} records in ${result.parts} parts: ${result.sent} sent, ${result.skipped} already there, ${result.verified} verified, ${result.unverified.length} not verified; ${(result.bytes / 1e6).toFixed(1)} MB NDJSON, ${(result.compressedBytes / 1e6).toFixed(1)} MB sent gzip; ${result.throttled} throttled\n`
  )
  return result.unverified.length > 0 ? ExitCode.partial : ExitCode.ok
}

/** Where the records come from: a store, or a snapshot verified before anything is read. */
interface RecordSource {
  total: number
  records(): AsyncIterable<NormalizedRecord>
  close(): Promise<void>
}

/** A snapshot that failed verification (exit 5). */
class SnapshotTampered extends Error {}

async function openRecords(source: Options['source'], io: CliIo): Promise<RecordSource> {
  if (source.kind === 'store') {
    const store = await FileStore.open(source.path)
    return { total: store.size, records: () => store.records(), close: () => store.close() }
  }
  io.stderr.write(`[push] verifying ${source.path}…\n`)
  const verification = await verifySnapshot(source.path)
  if (!verification.ok) {
    for (const f of verification.failures) {
      io.stderr.write(`FAILED ${f.part}: ${f.message}\n`)
    }
    throw new SnapshotTampered(`${source.path} failed verification; nothing was pushed`)
  }
  const reader = await SnapshotReader.open(source.path)
  return {
    total: reader.manifest.recordCount,
    records: () => reader.records(),
    close: async () => reader.close()
  }
}
