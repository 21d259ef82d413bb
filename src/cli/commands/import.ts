import { randomUUID } from 'node:crypto'
import { access } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { basename } from 'node:path'

import { FileCoverage } from '../../shared/acquisition'
import { appendAcquisitionLog } from '../../main/services/snapshot'
import { findImportWorker, importAuditFile, ImportFormatError } from '../../main/services/import'
import { FileStore } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'
import {
  flag,
  guard,
  InputError,
  parseCommandArgs,
  progress,
  requiredOption,
  resolvePath,
  stringOption,
  UsageError,
  writeJsonSummary
} from '../command-kit'
import { ExitCode } from '../exit-codes'

/** Usage of `cax import`. */
export const USAGE = `usage: cax import <file...> --store <dir> [--actor <name>] [--workers <n>] [--json]

Imports audit files (Purview portal CSV, classic CSV, Search-UnifiedAuditLog CSV, Management API
JSON arrays, NDJSON) into a local store. Every rejected row is reported on stderr with its file,
line and reason; duplicates (within a file, across files and against the store) are collapsed and
counted. Each file's import is recorded in the store's hash-chained acquisition log, with the
file's SHA-256, and the hours its records fall in are written to the ledger as imported from a
file (cax coverage shows them as "imported", never as complete).

  --store <dir>    the store folder (created when missing)
  --actor <name>   who ran the import, for the acquisition log (default: the OS user)
  --workers <n>    worker threads that normalize records (default: one per CPU core, at
                   most 4; 0 = none, all in one thread)
  --json           print a JSON summary as the last line of stdout
  -h, --help       this help

exit codes: 0 all rows imported; 2 bad arguments or no file readable; 3 some rows rejected or
some files unreadable; 1 other errors
`

/** Commits that may wait in the store while the next batch is prepared. */
const COMMITS_AHEAD = 2

interface FileResult {
  file: string
  format: string | null
  records: number
  new: number
  duplicates: number
  rejected: number
  workers: number
  error?: string
}

/** `cax import`: streams files into the store. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  return guard(io, 'import', USAGE, async () => {
    const args = parseCommandArgs(
      argv,
      { store: { type: 'string' }, actor: { type: 'string' }, workers: { type: 'string' } },
      true
    )
    if (flag(args, 'help')) {
      io.stdout.write(USAGE)
      return ExitCode.ok
    }
    if (args.positionals.length === 0) {
      throw new UsageError('give at least one file to import')
    }
    const storeDir = resolvePath(io, requiredOption(args, 'store'))
    const actor =
      stringOption(args, 'actor') ?? io.env.USER ?? io.env.USERNAME ?? userInfo().username
    const workersText = stringOption(args, 'workers')
    const workers = workersText === undefined ? undefined : Number(workersText)
    if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0 && workers <= 64)) {
      throw new UsageError(`--workers must be a whole number from 0 to 64, not "${workersText}"`)
    }
    const files = args.positionals.map((f) => resolvePath(io, f))
    for (const f of files) {
      try {
        await access(f)
      } catch {
        throw new InputError(`cannot read ${f}: no such file, or no permission`)
      }
    }

    const store = await FileStore.open(storeDir)
    const results: FileResult[] = []
    try {
      for (const file of files) {
        results.push(await importOne(io, store, file, storeDir, actor, workers))
      }
    } finally {
      await store.close()
    }

    const total = {
      records: sum(results, 'records'),
      new: sum(results, 'new'),
      duplicates: sum(results, 'duplicates'),
      rejected: sum(results, 'rejected')
    }
    const failed = results.filter((r) => r.error !== undefined).length
    progress(
      io,
      'import',
      `done: ${total.records} rows read, ${total.new} new, ${total.duplicates} duplicates collapsed, ${total.rejected} rejected${failed > 0 ? `, ${failed} file(s) unreadable` : ''}`
    )
    if (flag(args, 'json')) {
      writeJsonSummary(io, { command: 'import', ...total, failedFiles: failed, files: results })
    } else {
      io.stdout.write(
        `${total.new} new, ${total.duplicates} duplicates, ${total.rejected} rejected (${total.records} rows)\n`
      )
    }
    if (failed === results.length) {
      return ExitCode.invalidInput
    }
    return failed > 0 || total.rejected > 0 ? ExitCode.partial : ExitCode.ok
  })
}

async function importOne(
  io: CliIo,
  store: FileStore,
  file: string,
  storeDir: string,
  actor: string,
  workers: number | undefined
): Promise<FileResult> {
  // The store's Id index is the importer's Id memory too: one compact set (id-index.ts).
  const session = store.importSession()
  // Normalize workers when running from the bundle (out/main/import-worker.js), else in-thread.
  const job = importAuditFile(file, {
    seenIds: session,
    workerScript: findImportWorker(import.meta.url),
    // The file's SHA-256 goes to the acquisition log, as the app's imports record it.
    hashSource: true,
    ...(workers === undefined ? {} : { workers })
  })
  const result: FileResult = {
    file,
    format: null,
    records: 0,
    new: 0,
    duplicates: 0,
    rejected: 0,
    workers: 0
  }
  let lastReport = Date.now()
  const startedAt = new Date().toISOString()
  const covered = new FileCoverage({ importKey: randomUUID(), name: basename(file), at: startedAt })
  // Commits run one after another in the store; the next batch is cut and normalized while the
  // previous one is written and synced (at most COMMITS_AHEAD waiting).
  const commits: Array<Promise<void>> = []
  try {
    for await (const batch of job) {
      for (const r of batch.rejections) {
        io.stderr.write(`${file}:${r.line}: rejected (${r.code}): ${r.reason}\n`)
      }
      const windows = covered.add(batch.hours)
      if (batch.encoded.ids.length > 0 || windows.length > 0) {
        // The hours these records fall in go to the ledger with them (imported, never complete).
        const commit = store
          .commitEncoded({ records: batch.encoded, ledger: { windows, blobs: [], queries: [] } })
          .then((committed) => {
            result.new += committed.new
            result.duplicates += committed.duplicates
          })
        // Observed at once; awaited below in order.
        commit.catch(() => undefined)
        commits.push(commit)
        if (commits.length > COMMITS_AHEAD) {
          await commits.shift()
        }
      }
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now()
        progress(io, 'import', `${file}: ${job.summary.rowsRead} rows…`)
      }
    }
    while (commits.length > 0) {
      await commits.shift()
    }
  } catch (err) {
    await Promise.allSettled(commits.splice(0))
    const message =
      err instanceof ImportFormatError ? err.message : `import failed: ${(err as Error).message}`
    io.stderr.write(`${file}: ${message}\n`)
    result.error = message
  } finally {
    await session.end()
  }
  const s = job.summary
  result.format = s.format
  result.records = s.rowsRead
  result.duplicates += s.duplicatesCollapsed
  result.rejected = s.rejectedCount
  result.workers = s.workerThreads
  for (const w of s.warnings) {
    progress(io, 'import', `${file}: ${w}`)
  }
  if (s.duplicatesWithDifferentContent > 0) {
    progress(
      io,
      'import',
      `${file}: ${s.duplicatesWithDifferentContent} duplicate Id(s) had different content; the first was kept`
    )
  }
  await appendAcquisitionLog(storeDir, {
    at: new Date().toISOString(),
    actor,
    action: 'import',
    source: file,
    parameters: {
      format: s.format,
      encoding: s.encoding,
      complete: s.isComplete,
      bytes: s.bytesRead,
      // Of every byte of the file; null when the import stopped before its end.
      sha256: s.sha256,
      firstRecordHour: covered.span()?.start ?? null,
      lastRecordHourEnd: covered.span()?.end ?? null
    },
    counts: {
      records: result.records,
      new: result.new,
      duplicates: result.duplicates,
      rejected: result.rejected
    }
  })
  return result
}

function sum(rows: FileResult[], key: 'records' | 'new' | 'duplicates' | 'rejected'): number {
  return rows.reduce((n, r) => n + r[key], 0)
}
