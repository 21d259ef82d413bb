import type { NormalizedRecord } from '../../shared/audit'
import {
  csvExport,
  DEFAULT_RECORD_COLUMN_IDS,
  ndjsonExport,
  resolveRecordColumns,
  resolveTimeZone,
  TimeZoneError,
  UnknownColumnError
} from '../../shared/export'
import type { ExportRow, TabularExportSummary } from '../../shared/export'
import { writeCsvFiles, writeTextFile, writeXlsxExport } from '../../main/services/export'
import type { WrittenFile } from '../../main/services/export'
import { FileStore } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'
import {
  flag,
  guard,
  InputError,
  listOption,
  parseCommandArgs,
  progress,
  requiredOption,
  resolvePath,
  stringOption,
  UsageError,
  writeJsonSummary
} from '../command-kit'
import { ExitCode } from '../exit-codes'

/** Usage of `cax export`. */
export const USAGE = `usage: cax export --store <dir> --format csv|ndjson|xlsx --out <file>
                  [--tz UTC|local|<IANA zone>] [--columns a,b,...] [--filter-operation op,...]
                  [--max-rows-per-part <n>] [--json]

Exports the store's records. CSV is UTF-8 with BOM, Excel-safe (formula injection neutralised,
ids kept as text, cells over 32,767 characters cut with a visible marker) and split into
<out>-part2.csv… past Excel's 1,048,576 rows; XLSX follows the same rules; NDJSON is lossless
(raw record text exactly as received, one record per line).

  --store <dir>              the store folder
  --format <f>               csv, ndjson or xlsx
  --out <file>               output file (parts get -part2, -part3… before the extension)
  --tz <zone>                time zone of time columns, named in their header (default UTC)
  --columns <ids>            columns in order (default: all). Ids: ${DEFAULT_RECORD_COLUMN_IDS.join(', ')}; fields.<name> for any flattened field
  --filter-operation <ops>   only records whose Operation is one of these (case-insensitive)
  --max-rows-per-part <n>    data rows per file (default 1,048,575)
  --json                     print a JSON summary as the last line of stdout
  -h, --help                 this help

exit codes: 0 written; 2 bad arguments (unknown column, time zone or format); 1 other errors
`

const FORMATS = ['csv', 'ndjson', 'xlsx'] as const

/** `cax export`: writes the store's records as CSV, NDJSON or XLSX. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  return guard(io, 'export', USAGE, async () => {
    const args = parseCommandArgs(
      argv,
      {
        store: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        tz: { type: 'string' },
        columns: { type: 'string', multiple: true },
        'filter-operation': { type: 'string', multiple: true },
        'max-rows-per-part': { type: 'string' }
      },
      false
    )
    if (flag(args, 'help')) {
      io.stdout.write(USAGE)
      return ExitCode.ok
    }
    const storeDir = resolvePath(io, requiredOption(args, 'store'))
    const format = requiredOption(args, 'format').toLowerCase()
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`)
    }
    const out = resolvePath(io, requiredOption(args, 'out'))
    let timeZone
    let columns
    try {
      timeZone = resolveTimeZone(stringOption(args, 'tz') ?? 'UTC', io.env.TZ)
      const ids = listOption(args, 'columns')
      columns = resolveRecordColumns(ids.length > 0 ? ids : DEFAULT_RECORD_COLUMN_IDS)
    } catch (err) {
      if (err instanceof TimeZoneError || err instanceof UnknownColumnError) {
        throw new InputError(err.message)
      }
      throw err
    }
    const maxText = stringOption(args, 'max-rows-per-part')
    const maxRowsPerPart = maxText === undefined ? undefined : Number(maxText)
    if (maxRowsPerPart !== undefined && (!Number.isInteger(maxRowsPerPart) || maxRowsPerPart < 1)) {
      throw new UsageError(`--max-rows-per-part must be a positive integer, got '${maxText}'`)
    }
    const operations = new Set(listOption(args, 'filter-operation').map((o) => o.toLowerCase()))

    const store = await FileStore.open(storeDir)
    let exported = 0
    let files: WrittenFile[] = []
    let tabular: TabularExportSummary | null = null
    try {
      if (store.size === 0) {
        progress(io, 'export', `the store ${storeDir} holds no records; writing an empty export`)
      }
      const selected = async function* (): AsyncGenerator<NormalizedRecord> {
        for await (const record of store.records()) {
          if (operations.size === 0 || operations.has(record.operation.toLowerCase())) {
            exported += 1
            if (exported % 100_000 === 0) {
              progress(io, 'export', `${exported} records…`)
            }
            yield record
          }
        }
      }
      const rows = async function* (): AsyncGenerator<ExportRow> {
        for await (const record of selected()) {
          yield { record }
        }
      }
      const partOptions = maxRowsPerPart === undefined ? {} : { maxRowsPerPart }
      if (format === 'csv') {
        const exp = csvExport(rows(), columns, { timeZone, ...partOptions })
        files = await writeCsvFiles(exp, out)
        tabular = exp.summary
      } else if (format === 'xlsx') {
        const result = await writeXlsxExport(rows(), columns, out, { timeZone, ...partOptions })
        files = result.files
        tabular = result.summary
      } else {
        files = [await writeTextFile(ndjsonExport(selected()), out)]
      }
    } finally {
      await store.close()
    }
    if (tabular && tabular.truncatedCells > 0) {
      progress(
        io,
        'export',
        `${tabular.truncatedCells} cell(s) were longer than 32,767 characters and were cut (marked in the cell); use --format ndjson for the full text`
      )
    }
    for (const f of files) {
      progress(io, 'export', `wrote ${f.path} (${f.bytes} bytes, sha256 ${f.sha256})`)
    }
    if (flag(args, 'json')) {
      writeJsonSummary(io, {
        command: 'export',
        format,
        records: exported,
        parts: files.length,
        files,
        timeZone: timeZone.label,
        truncatedCells: tabular?.truncatedCells ?? 0,
        neutralizedCells: tabular?.neutralizedCells ?? 0
      })
    } else {
      io.stdout.write(`${exported} records → ${files.map((f) => f.path).join(', ')}\n`)
    }
    return ExitCode.ok
  })
}
