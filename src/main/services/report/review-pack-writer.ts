import { writeFile } from 'node:fs/promises'

import type { Ledger } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { annotationLookup, RECORD_COLUMNS, resolveTimeZone } from '../../../shared/export'
import type { ExportRow, ExportTimeZone, RecordAnnotation } from '../../../shared/export'
import type { GovernanceSettings } from '../../../shared/governance'
import {
  COVER_COLUMNS,
  coverLines,
  FINDING_COLUMNS,
  findingLines,
  renderReviewPackHtml,
  RESOURCE_COLUMNS,
  ReviewPackBuilder,
  SHARING_COLUMNS,
  sharingLines,
  SUMMARY_COLUMNS,
  summaryLines
} from '../../../shared/report'
import type { PackOrigin, ReviewPackModel } from '../../../shared/report'
import { hashFile, writeXlsxWorkbook } from '../export'
import type { WrittenFile, XlsxWorkbookResult } from '../export'

/**
 * Writes a review pack: one XLSX (cover, summary, resources, sharing, findings, records with
 * annotations) and the same pack as printable HTML. Two passes over the records: the first
 * builds the model (resources, findings, counts), the second streams the records sheet, so
 * memory holds the model, not the records.
 */

/** Where a pack's data comes from (a store or a snapshot). */
export interface ReviewPackSource {
  /** Streams every record; called twice. */
  records: () => AsyncIterable<NormalizedRecord>
  ledger: Ledger
  annotations: Readonly<Record<string, RecordAnnotation>>
  origin: PackOrigin
}

/** Options of {@link writeReviewPack}. */
export interface ReviewPackOptions {
  xlsxPath: string
  /** Where to write the HTML, or null for none. */
  htmlPath: string | null
  timeZone?: ExportTimeZone
  settings?: GovernanceSettings
  now?: Date
  appVersion: string
  /** Records shown in the HTML at most (default 2,000; the XLSX holds all). */
  htmlMaxRecords?: number
  /** Only records this predicate keeps (a time range, operations). */
  filter?: (record: NormalizedRecord) => boolean
}

/** What {@link writeReviewPack} wrote. */
export interface ReviewPackResult {
  model: ReviewPackModel
  xlsx: XlsxWorkbookResult
  html: WrittenFile | null
  /** Milliseconds spent on the model (first pass), the XLSX (second pass) and the HTML. */
  timings: { modelMs: number; xlsxMs: number; htmlMs: number }
}

/** Writes the pack; see the module comment. */
export async function writeReviewPack(
  source: ReviewPackSource,
  options: ReviewPackOptions
): Promise<ReviewPackResult> {
  const zone = options.timeZone ?? resolveTimeZone('UTC')
  const keep = options.filter ?? (() => true)
  const t0 = performance.now()
  const builder = new ReviewPackBuilder()
  for await (const record of source.records()) {
    if (keep(record)) {
      builder.add(record)
    }
  }
  const model = builder.finish({
    ledger: source.ledger,
    origin: source.origin,
    now: options.now ?? new Date(),
    appVersion: options.appVersion,
    ...(options.settings ? { settings: options.settings } : {})
  })

  const t1 = performance.now()
  const cited = new Set(model.findings.flatMap((f) => f.items.flatMap((i) => i.recordIds)))
  const maxHtml = options.htmlMaxRecords ?? 2000
  const citedRows: ExportRow[] = []
  const otherRows: ExportRow[] = []
  const annotation = annotationLookup(source.annotations)
  const rows = async function* (): AsyncGenerator<ExportRow> {
    for await (const record of source.records()) {
      if (!keep(record)) {
        continue
      }
      const row: ExportRow = { record, annotation: annotation(record.id) }
      if (options.htmlPath !== null) {
        if (cited.has(record.id) && citedRows.length < maxHtml) {
          citedRows.push(row)
        } else if (otherRows.length < maxHtml) {
          otherRows.push(row)
        }
      }
      yield row
    }
  }

  // The cover is the first sheet but names what the records sheet held: the records are counted
  // in the first pass, and the sheet's limit is known, so the cover can say it up front.
  const recordsLimit = 1_048_575
  const written = Math.min(model.recordCount, recordsLimit)
  const xlsx = await writeXlsxWorkbook(
    options.xlsxPath,
    [
      {
        name: 'Cover',
        columns: COVER_COLUMNS,
        rows: coverLines(model, { written, leftOut: model.recordCount - written }),
        widths: [26, 110]
      },
      {
        name: 'Summary',
        columns: SUMMARY_COLUMNS,
        rows: summaryLines(model),
        widths: [14, 60, 10, 10]
      },
      { name: 'Resources', columns: RESOURCE_COLUMNS, rows: model.resources },
      { name: 'Sharing', columns: SHARING_COLUMNS, rows: sharingLines(model) },
      {
        name: 'Findings',
        columns: FINDING_COLUMNS,
        rows: findingLines(model),
        widths: [24, 40, 10, 12, 20, 100, 28, 40, 10, 60]
      },
      { name: 'Records', columns: RECORD_COLUMNS, rows: rows(), maxRows: recordsLimit }
    ],
    { timeZone: zone }
  )

  const t2 = performance.now()
  let html: WrittenFile | null = null
  if (options.htmlPath !== null) {
    const shownIds = new Set(citedRows.map((r) => r.record.id))
    const sample = [
      ...citedRows,
      ...otherRows
        .filter((r) => !shownIds.has(r.record.id))
        .slice(0, Math.max(0, maxHtml - citedRows.length))
    ].sort(
      (a, b) => a.record.createdAtMs - b.record.createdAtMs || (a.record.id < b.record.id ? -1 : 1)
    )
    await writeFile(
      options.htmlPath,
      renderReviewPackHtml(model, { timeZone: zone, records: sample }),
      'utf8'
    )
    html = await hashFile(options.htmlPath)
  }
  const t3 = performance.now()
  return {
    model,
    xlsx,
    html,
    timings: {
      modelMs: Math.round(t1 - t0),
      xlsxMs: Math.round(t2 - t1),
      htmlMs: Math.round(t3 - t2)
    }
  }
}
