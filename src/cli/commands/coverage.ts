import { coverage, coverageRuns } from '../../shared/acquisition'
import type { CoverageRun, HourStatus, Ledger } from '../../shared/acquisition'
import { FileStore } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'
import {
  flag,
  guard,
  parseCommandArgs,
  requiredOption,
  resolvePath,
  stringOption,
  UsageError,
  writeJsonSummary
} from '../command-kit'
import { ExitCode } from '../exit-codes'

/** Usage of `cax coverage`. */
export const USAGE = `usage: cax coverage --store <dir> [--from <ISO time>] [--to <ISO time>] [--tenant <id>]
                    [--content-type <type>] [--source management|graph|workspace|adx|file] [--json]

Shows, hour by hour (UTC), how completely the store's ledger covers a time range:
  complete  listed at least the settle delay (15 min) after the hour ended, every blob stored
            (or a Graph query for it succeeded)
  partial   something failed, or a pull stopped before it ("not tried: the pull stopped");
            the next pull retries it
  gap       content gone for good (expired before download), or never fetched and out of the
            Management API's 7-day reach
  pending   too recent to be settled (says when it settles), or not requested by any pull
  imported  not complete from the API, but records of the hour were imported from an audit
            file (cax import): what the file holds, never checked against the API
Every hour that is not complete says why. Runs of hours with the same status are printed as
one line. Every pull writes down the windows it plans before it starts, so the default range
covers everything ever requested, including what a stopped pull never reached.

  --store <dir>           the store folder
  --from, --to <time>     the range (default: the span of every window ever requested, else the
                          last 7 days); hours outside what was requested read "not requested"
  --tenant <id>           only this tenant
  --content-type <type>   only this Management content type (e.g. Audit.General)
  --source <s>            only management, graph, workspace, adx or file (imported) windows
  --json                  print a JSON summary as the last line of stdout (counts per status and
                          every hour that is not complete)
  -h, --help              this help

exit codes: 0 no gap and nothing partial (imported and pending hours are neither); 3 gaps or
partial hours; 2 bad arguments; 1 other errors
`

const HOUR_MS = 3_600_000

function parseTime(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) {
    return undefined
  }
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || !text.includes('T') ? text : `${text}Z`)
  if (Number.isNaN(d.getTime())) {
    throw new UsageError(`--${name} is not an ISO 8601 time: '${text}'`)
  }
  return d
}

function defaultRange(ledger: Ledger, now: Date): { start: Date; end: Date } {
  const windows = Object.values(ledger.windows)
  if (windows.length === 0) {
    return { start: new Date(now.getTime() - 7 * 24 * HOUR_MS), end: now }
  }
  const start = Math.min(...windows.map((w) => Date.parse(w.start)))
  const end = Math.max(...windows.map((w) => Date.parse(w.end)))
  return { start: new Date(start), end: new Date(end) }
}

/** `cax coverage`: per-hour completeness from the store's ledger. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  return guard(io, 'coverage', USAGE, async () => {
    const args = parseCommandArgs(
      argv,
      {
        store: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        tenant: { type: 'string' },
        'content-type': { type: 'string' },
        source: { type: 'string' }
      },
      false
    )
    if (flag(args, 'help')) {
      io.stdout.write(USAGE)
      return ExitCode.ok
    }
    const storeDir = resolvePath(io, requiredOption(args, 'store'))
    const source = stringOption(args, 'source')
    if (
      source !== undefined &&
      source !== 'management' &&
      source !== 'graph' &&
      source !== 'workspace' &&
      source !== 'adx' &&
      source !== 'file'
    ) {
      throw new UsageError(
        `--source must be management, graph, workspace, adx or file, got '${source}'`
      )
    }
    const store = await FileStore.open(storeDir)
    let ledger: Ledger
    try {
      ledger = await store.ledger()
    } finally {
      await store.close()
    }
    const now = new Date()
    const fallback = defaultRange(ledger, now)
    const start = parseTime('from', stringOption(args, 'from')) ?? fallback.start
    const end = parseTime('to', stringOption(args, 'to')) ?? fallback.end
    if (end.getTime() <= start.getTime()) {
      throw new UsageError('--to must be after --from')
    }
    if (end.getTime() - start.getTime() > 400 * 24 * HOUR_MS) {
      throw new UsageError('the range is longer than 400 days; narrow it with --from/--to')
    }
    const tenant = stringOption(args, 'tenant')
    const contentType = stringOption(args, 'content-type')
    const hours = coverage(
      ledger,
      {
        start,
        end,
        ...(tenant !== undefined ? { tenantId: tenant } : {}),
        ...(contentType !== undefined ? { contentType } : {}),
        ...(source !== undefined ? { source } : {})
      },
      now
    )
    const counts: Record<HourStatus, number> = {
      complete: 0,
      partial: 0,
      gap: 0,
      pending: 0,
      imported: 0
    }
    for (const h of hours) {
      counts[h.status] += 1
    }
    if (flag(args, 'json')) {
      for (const run of coverageRuns(hours)) {
        io.stdout.write(`${formatRun(run)}\n`)
      }
      writeJsonSummary(io, {
        command: 'coverage',
        from: start.toISOString(),
        to: end.toISOString(),
        hours: hours.length,
        ...counts,
        gaps: counts.gap,
        notComplete: hours.filter((h) => h.status !== 'complete')
      })
    } else {
      for (const run of coverageRuns(hours)) {
        io.stdout.write(`${formatRun(run)}\n`)
      }
      io.stdout.write(
        `${hours.length} hours: ${counts.complete} complete, ${counts.partial} partial, ${counts.gap} gap, ${counts.pending} pending, ${counts.imported} imported from a file\n`
      )
    }
    return counts.gap > 0 || counts.partial > 0 ? ExitCode.partial : ExitCode.ok
  })
}

function formatRun(run: CoverageRun): string {
  const span = `${run.start.slice(0, 16)}Z – ${run.end.slice(0, 16)}Z`
  return `${span}  ${run.status.padEnd(9)} ${String(run.hours).padStart(4)} h  ${run.reason}`
}
