import { describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'

import { CORE_COLUMNS } from './explorer-columns'
import {
  exportColumns,
  exportFileName,
  runExport,
  type ExportJob,
  type ExportSink
} from './export-runner'
import type { GridRow, RecordsPage } from './query-types'

const records = Array.from({ length: 4500 }, (_, n) =>
  makeRecord({
    id: `id-${n}`,
    userId: n === 0 ? '=HYPERLINK("x")' : `u${n}`,
    createdAtMs: Date.UTC(2026, 4, 19) + n * 1000
  })
)

function gridRow(n: number): GridRow {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { raw, warnings, ...rest } = records[n]!
  return { ...rest, tags: [] }
}

function memorySink(): ExportSink & { text: string; state: string } {
  const sink = {
    text: '',
    state: 'open',
    write: async (t: string) => {
      sink.text += t
    },
    close: async () => {
      sink.state = 'closed'
    },
    abort: async () => {
      sink.state = 'aborted'
    }
  }
  return sink
}

const columns = CORE_COLUMNS.filter((c) => ['createdAt', 'userId', 'id'].includes(c.colId))

function job(sink: ExportSink, patch: Partial<ExportJob> = {}): ExportJob & { progress: number[] } {
  const progress: number[] = []
  return {
    format: 'csv',
    columns,
    timeZone: 'utc',
    fetchRows: async (start, end) => ({
      total: records.length,
      rows: records.slice(start, end).map((_, i) => gridRow(start + i))
    }),
    fetchRecords: async (start, end): Promise<RecordsPage> => ({
      total: records.length,
      records: records.slice(start, end),
      annotations: { 'id-1': { tags: ['t'], comment: '' } }
    }),
    openSink: async () => sink,
    signal: new AbortController().signal,
    onProgress: (done) => progress.push(done),
    progress,
    ...patch
  }
}

describe('runExport', () => {
  it('streams the view as CSV with BOM, zone in the header and formulas neutralized', async () => {
    const sink = memorySink()
    const j = job(sink)
    expect(await runExport(j)).toBe(4500)
    expect(j.progress).toEqual([2000, 4000, 4500])
    const lines = sink.text.split('\r\n')
    expect(lines[0]).toBe('\uFEFFDate (UTC),User,Id')
    expect(lines[1]).toBe('2026-05-19 00:00:00,"\'=HYPERLINK(""x"")",id-0')
    expect(lines).toHaveLength(4502)
    expect(sink.state).toBe('closed')
  })

  it('writes lossless NDJSON of the same rows with annotations', async () => {
    const sink = memorySink()
    expect(await runExport(job(sink, { format: 'ndjson' }))).toBe(4500)
    const lines = sink.text.trimEnd().split('\n')
    expect(lines).toHaveLength(4500)
    const second = JSON.parse(lines[1]!) as { id: string; raw: string; annotation: unknown }
    expect(second).toMatchObject({ id: 'id-1', raw: records[1]!.raw, annotation: { tags: ['t'] } })
  })

  it('stops and discards the file when cancelled', async () => {
    const sink = memorySink()
    const controller = new AbortController()
    const result = await runExport(
      job(sink, { signal: controller.signal, onProgress: () => controller.abort() })
    )
    expect(result).toBe('cancelled')
    expect(sink.state).toBe('aborted')
  })

  it('maps columns for the shared writer and names parts', () => {
    expect(exportColumns(columns, 'utc').map((c) => [c.header, c.kind])).toEqual([
      ['Date', 'datetime'],
      ['User', 'text'],
      ['Id', 'id']
    ])
    expect(exportFileName('audit', 'csv', 2)).toBe('audit-part2.csv')
  })
})
