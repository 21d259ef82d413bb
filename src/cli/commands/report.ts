import { open, stat } from 'node:fs/promises'

import type { NormalizedRecord } from '../../shared/audit'
import { resolveTimeZone, TimeZoneError } from '../../shared/export'
import { GovernanceSettingsError, parseGovernanceSettings } from '../../shared/governance'
import type { GovernanceSettings } from '../../shared/governance'
import { writeReviewPack } from '../../main/services/report'
import type { ReviewPackResult, ReviewPackSource } from '../../main/services/report'
import { SnapshotReader, verifySnapshot } from '../../main/services/snapshot'
import { FileStore } from '../../main/services/store/file-store'
import { appVersion } from '../app-version'
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

/** Usage of `cax report`. */
export const USAGE = `usage: cax report (--store <dir> | --snapshot <file> [--expect <fingerprint>]) --out <file.xlsx>
                  [--html <file.html> | --no-html] [--tz UTC|local|<IANA zone>]
                  [--from <ISO time>] [--to <ISO time>] [--settings <file.json>] [--json]

Writes a review pack for a reviewer: one XLSX with a cover (period, sources, coverage, the
snapshot fingerprint it was made from), summary counts by category, activity, environment and
actor, the connector resources (connections, custom APIs, gateways: state, creation, sharing),
who holds which permission, the findings with the records they rest on, and the records with
their annotations; and the same pack as a printable, self-contained HTML page with an
events-over-time histogram and a coverage strip. Every cell is Excel-safe.

A snapshot is verified first (like cax verify); a pack is never made from one that fails.

  --store <dir>          a store folder (cax pull / cax import)
  --snapshot <file>      a snapshot (cax snapshot); its fingerprint goes on the cover
  --expect <sha256>      the fingerprint the snapshot's sender gave you
  --out <file.xlsx>      the XLSX to write
  --html <file.html>     the HTML to write (default: --out with .html)
  --no-html              write no HTML
  --tz <zone>            time zone of times in the pack, named in every header (default UTC)
  --from, --to <time>    only records in [from, to)
  --settings <file>      governance settings (JSON): thresholds, working hours, organisation
                         principals, tenant domains, disabled rules; see docs/governance.md
  --json                 print a JSON summary as the last line of stdout
  -h, --help             this help

exit codes: 0 written; 5 the snapshot failed verification; 2 bad arguments or settings;
1 other errors
`

/** Settings files are small; a bigger file is refused before it is read. */
const MAX_SETTINGS_BYTES = 1024 * 1024

function parseTime(name: string, text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined
  }
  const ms = Date.parse(
    /[zZ]|[+-]\d\d:?\d\d$/.test(text) || !text.includes('T') ? text : `${text}Z`
  )
  if (Number.isNaN(ms)) {
    throw new UsageError(`--${name} is not an ISO 8601 time: '${text}'`)
  }
  return ms
}

async function readSettings(path: string): Promise<GovernanceSettings> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch {
    throw new InputError(`cannot read the settings file ${path}: no such file, or no permission`)
  }
  if (size > MAX_SETTINGS_BYTES) {
    throw new InputError(
      `the settings file ${path} is ${size} bytes; at most ${MAX_SETTINGS_BYTES} are read`
    )
  }
  const handle = await open(path, 'r')
  let text: string
  try {
    text = await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new InputError(`the settings file ${path} is not JSON: ${(err as Error).message}`)
  }
  try {
    return parseGovernanceSettings(value)
  } catch (err) {
    if (err instanceof GovernanceSettingsError) {
      throw new InputError(`the settings file ${path} is not valid: ${err.message}`)
    }
    throw err
  }
}

function htmlPathFor(xlsx: string): string {
  return /\.xlsx$/i.test(xlsx) ? xlsx.replace(/\.xlsx$/i, '.html') : `${xlsx}.html`
}

/** `cax report`: writes a review pack (XLSX + HTML) from a store or a verified snapshot. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  return guard(io, 'report', USAGE, async () => {
    const args = parseCommandArgs(
      argv,
      {
        store: { type: 'string' },
        snapshot: { type: 'string' },
        expect: { type: 'string' },
        out: { type: 'string' },
        html: { type: 'string' },
        'no-html': { type: 'boolean' },
        tz: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        settings: { type: 'string' }
      },
      false
    )
    if (flag(args, 'help')) {
      io.stdout.write(USAGE)
      return ExitCode.ok
    }
    const storeArg = stringOption(args, 'store')
    const snapshotArg = stringOption(args, 'snapshot')
    if ((storeArg === undefined) === (snapshotArg === undefined)) {
      throw new UsageError('give exactly one of --store and --snapshot')
    }
    if (stringOption(args, 'expect') !== undefined && snapshotArg === undefined) {
      throw new UsageError('--expect checks a snapshot: use it with --snapshot')
    }
    if (flag(args, 'no-html') && stringOption(args, 'html') !== undefined) {
      throw new UsageError('give --html or --no-html, not both')
    }
    const out = resolvePath(io, requiredOption(args, 'out'))
    const htmlOption = stringOption(args, 'html')
    const htmlPath = flag(args, 'no-html')
      ? null
      : htmlOption !== undefined
        ? resolvePath(io, htmlOption)
        : htmlPathFor(out)
    if (htmlPath === out) {
      throw new UsageError('--html and --out name the same file')
    }
    let timeZone
    try {
      timeZone = resolveTimeZone(stringOption(args, 'tz') ?? 'UTC', io.env.TZ)
    } catch (err) {
      if (err instanceof TimeZoneError) {
        throw new InputError(err.message)
      }
      throw err
    }
    const from = parseTime('from', stringOption(args, 'from'))
    const to = parseTime('to', stringOption(args, 'to'))
    if (from !== undefined && to !== undefined && to <= from) {
      throw new UsageError('--to must be after --from')
    }
    const settingsPath = stringOption(args, 'settings')
    const settings =
      settingsPath === undefined
        ? parseGovernanceSettings({})
        : await readSettings(resolvePath(io, settingsPath))
    const filter =
      from === undefined && to === undefined
        ? undefined
        : (r: NormalizedRecord): boolean =>
            (from === undefined || r.createdAtMs >= from) &&
            (to === undefined || r.createdAtMs < to)
    const options = {
      xlsxPath: out,
      htmlPath,
      timeZone,
      settings,
      appVersion: appVersion(),
      ...(filter ? { filter } : {})
    }

    let result: ReviewPackResult
    if (snapshotArg !== undefined) {
      const path = resolvePath(io, snapshotArg)
      try {
        await stat(path)
      } catch {
        throw new InputError(`cannot read ${path}: no such file, or no permission`)
      }
      const expected = stringOption(args, 'expect')
      progress(io, 'report', `verifying ${path}…`)
      const verification = await verifySnapshot(
        path,
        expected === undefined ? {} : { expectedFingerprint: expected }
      )
      if (!verification.ok || verification.fingerprint === null) {
        for (const f of verification.failures) {
          io.stderr.write(`FAILED ${f.part}: ${f.message}\n`)
        }
        io.stderr.write(`cax report: ${path} failed verification; no pack was written\n`)
        return ExitCode.tampered
      }
      const reader = await SnapshotReader.open(path)
      try {
        const source: ReviewPackSource = {
          records: () => reader.records(),
          ledger: await reader.ledger(),
          annotations: await reader.annotations(),
          origin: {
            kind: 'snapshot',
            path,
            fingerprint: verification.fingerprint,
            verification: `intact: ${verification.verifiedParts.length} parts verified${expected !== undefined ? ', fingerprint as expected' : ''}`,
            snapshotCreatedAt: reader.manifest.createdAt
          }
        }
        result = await writeReviewPack(source, options)
      } finally {
        reader.close()
      }
    } else {
      const dir = resolvePath(io, storeArg ?? '')
      const store = await FileStore.open(dir)
      try {
        result = await writeReviewPack(
          {
            records: () => store.records(),
            ledger: await store.ledger(),
            annotations: {},
            origin: {
              kind: 'store',
              path: dir,
              fingerprint: null,
              verification: null,
              snapshotCreatedAt: null
            }
          },
          options
        )
      } finally {
        await store.close()
      }
    }

    const { model, xlsx, html } = result
    const findings = model.findings.reduce((n, f) => n + f.count, 0)
    progress(
      io,
      'report',
      `wrote ${xlsx.file.path} (${xlsx.file.bytes} bytes, sha256 ${xlsx.file.sha256})`
    )
    if (html) {
      progress(io, 'report', `wrote ${html.path} (${html.bytes} bytes, sha256 ${html.sha256})`)
    }
    const leftOut = xlsx.sheets.find((s) => s.name === 'Records')?.rowsLeftOut ?? 0
    if (leftOut > 0) {
      progress(io, 'report', `${leftOut} records did not fit the Records sheet (Excel's row limit)`)
    }
    if (flag(args, 'json')) {
      writeJsonSummary(io, {
        command: 'report',
        records: model.recordCount,
        resources: model.resources.length,
        findings,
        findingsByRule: Object.fromEntries(model.findings.map((f) => [f.ruleId, f.count])),
        fingerprint: model.origin.fingerprint,
        files: [xlsx.file, ...(html ? [html] : [])],
        neutralizedCells: xlsx.summary.neutralizedCells,
        truncatedCells: xlsx.summary.truncatedCells,
        timings: result.timings
      })
    } else {
      io.stdout.write(
        `${model.recordCount} records, ${model.resources.length} resources, ${findings} findings → ${[xlsx.file.path, html?.path].filter(Boolean).join(', ')}\n`
      )
    }
    return ExitCode.ok
  })
}
