import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { NormalizedRecord } from '../../../shared/audit'

import { importAuditFile, importAuditStream } from './import-audit-file'
import type { AuditImport } from './import-audit-file'
import type { ImportOptions, ImportSummary, RejectedRow } from './import-types'

/**
 * Bad input (issue 13 item 5): each case is imported or refused with its line and reason,
 * nothing else is lost and nothing is garbled.
 */

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const HEADER = 'RecordId,CreationDate,RecordType,Operation,UserId,AuditData\r\n'

interface Result {
  records: NormalizedRecord[]
  rejections: RejectedRow[]
  summary: ImportSummary
}

async function collect(run: AuditImport): Promise<Result> {
  const records: NormalizedRecord[] = []
  const rejections: RejectedRow[] = []
  for await (const batch of run) {
    records.push(...batch.records)
    rejections.push(...batch.rejections)
  }
  const { summary } = run
  expect(summary.isComplete).toBe(true)
  expect(summary.rowsRead).toBe(
    summary.recordsAccepted + summary.duplicatesCollapsed + summary.rejectedCount
  )
  return { records, rejections, summary }
}

function auditJson(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Id: id,
    CreationTime: '2026-05-19T13:17:34',
    Operation: 'PutConnection',
    RecordType: 187,
    UserId: 'zoë.müller@contoso.example',
    ...extra
  })
}

function csvRow(id: string, auditData: string): string {
  return `${id},5/19/2026 1:17:34 PM,187,PutConnection,u@contoso.example,"${auditData.replaceAll('"', '""')}"\r\n`
}

function stream(text: string | Buffer, name: string, options: ImportOptions = {}): AuditImport {
  return importAuditStream([typeof text === 'string' ? Buffer.from(text) : text], name, options)
}

describe('bad input', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-bad-input-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a file cut off inside a row: every complete row imported, the cut one refused with its line', async () => {
    const full = readFileSync(fixture('purview-current.csv'))
    const whole = await collect(importAuditFile(fixture('purview-current.csv')))
    // Cut in the middle of the last row's AuditData.
    const lastRowStart = full.lastIndexOf('\r\n', full.length - 3) + 2
    const cut = full.subarray(0, lastRowStart + Math.floor((full.length - lastRowStart) / 2))
    const file = join(dir, 'cut.csv')
    await writeFile(file, cut)
    const result = await collect(importAuditFile(file))
    const lastLine = full.subarray(0, lastRowStart).toString('utf8').split('\n').length
    expect(result.rejections.at(-1)).toMatchObject({ line: lastLine, code: 'truncated' })
    expect(result.rejections.at(-1)?.reason).toMatch(/quoted cell is not closed/)
    // Everything before the cut is exactly what the whole file gives.
    const lastId = whole.records.at(-1)?.id
    expect(result.records.map((r) => r.id)).toEqual(
      whole.records.map((r) => r.id).filter((id) => id !== lastId)
    )
    expect(result.records.map((r) => r.raw)).toEqual(
      whole.records.filter((r) => r.id !== lastId).map((r) => r.raw)
    )
  })

  it('UTF-16 with a BOM, little- and big-endian: decoded, names intact', async () => {
    const text = HEADER + csvRow('a', auditJson('a')) + csvRow('b', auditJson('b'))
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    const be = Buffer.from(le)
    be.swap16() // the BOM swaps too: FE FF
    for (const [bytes, encoding] of [
      [le, 'utf-16le'],
      [be, 'utf-16be']
    ] as const) {
      // One byte at a time: every code unit split across chunks.
      const chunks = Array.from(bytes, (byte) => Buffer.from([byte]))
      const result = await collect(importAuditStream(chunks, `${encoding}.csv`))
      expect(result.summary.encoding).toBe(encoding)
      expect(result.rejections).toEqual([])
      expect(result.records.map((r) => r.userId)).toEqual([
        'zoë.müller@contoso.example',
        'zoë.müller@contoso.example'
      ])
      expect(result.records[0]?.raw).toBe(auditJson('a'))
    }
    const fromFixture = await collect(importAuditFile(fixture('utf16le.csv')))
    expect(fromFixture.summary.encoding).toBe('utf-16le')
    expect(fromFixture.records.length).toBeGreaterThan(0)
    expect(fromFixture.rejections).toEqual([])
  })

  it('Windows-1252: read as such with a warning, accented names intact', async () => {
    const text = HEADER + csvRow('a', auditJson('a', { UserId: 'renée.æøå@contoso.example' }))
    const bytes = Buffer.from(text, 'latin1') // the same bytes as Windows-1252 for these letters
    const result = await collect(stream(bytes, 'cp1252.csv'))
    expect(result.summary.encoding).toBe('windows-1252')
    expect(result.summary.warnings.join(' ')).toMatch(/Windows-1252/)
    expect(result.records.map((r) => r.userId)).toEqual(['renée.æøå@contoso.example'])
    const fromFixture = await collect(importAuditFile(fixture('windows-1252.csv')))
    expect(fromFixture.summary.encoding).toBe('windows-1252')
    expect(fromFixture.records.map((r) => r.userId)).toContain('renée@contoso.example')
  })

  it('an AuditData cell over 1 MB: imported whole, the rows after it keep their lines', async () => {
    const big = auditJson('big', { Payload: 'é€'.repeat(600_000) + '"quoted"' })
    expect(big.length).toBeGreaterThan(1_000_000)
    const text =
      HEADER + csvRow('a', auditJson('a')) + csvRow('big', big) + csvRow('c', auditJson('c'))
    const file = join(dir, 'big.csv')
    await writeFile(file, text)
    const result = await collect(importAuditFile(file))
    expect(result.rejections).toEqual([])
    expect(result.records.map((r) => [r.id, r.provenance?.line])).toEqual([
      ['a', 2],
      ['big', 3],
      ['c', 4]
    ])
    expect(result.records[1]?.raw).toBe(big)
    // With a smaller limit, the same row is refused with its line and the others still come.
    const limited = await collect(importAuditFile(file, { maxRecordChars: 1_000_000 }))
    expect(limited.records.map((r) => [r.id, r.provenance?.line])).toEqual([
      ['a', 2],
      ['c', 4]
    ])
    expect(limited.rejections).toEqual([
      expect.objectContaining({
        line: 3,
        code: 'record-too-large',
        reason: 'row larger than 1000000 characters'
      })
    ])
  })

  it('an empty AuditData: refused with its line, the other rows imported', async () => {
    const text =
      HEADER +
      csvRow('a', auditJson('a')) +
      'b,5/19/2026 1:17:34 PM,187,PutConnection,u@contoso.example,""\r\n' +
      'c,5/19/2026 1:17:34 PM,187,PutConnection,u@contoso.example,\r\n' +
      csvRow('d', auditJson('d'))
    const result = await collect(stream(text, 'empty.csv'))
    expect(result.records.map((r) => r.id)).toEqual(['a', 'd'])
    expect(result.rejections).toEqual([
      expect.objectContaining({
        line: 3,
        code: 'audit-data-missing',
        reason: 'AuditData is empty'
      }),
      expect.objectContaining({ line: 4, code: 'audit-data-missing', reason: 'AuditData is empty' })
    ])
  })

  it('a byte-order mark and CRLF inside quoted cells: raw kept byte for byte, lines right', async () => {
    const pretty = JSON.stringify(JSON.parse(auditJson('multi')), null, 2).replaceAll('\n', '\r\n')
    const text = `\uFEFF${HEADER}${csvRow('multi', pretty)}${csvRow('after', auditJson('after'))}`
    const result = await collect(stream(text, 'bom-crlf.csv'))
    expect(result.summary.format).toBe('purview-csv')
    expect(result.rejections).toEqual([])
    expect(result.records[0]?.raw).toBe(pretty)
    expect(result.records.map((r) => [r.id, r.provenance?.line])).toEqual([
      ['multi', 2],
      ['after', 2 + pretty.split('\r\n').length]
    ])
  })

  it('a multi-byte character split across read chunks: never garbled, at any split point', async () => {
    const name = 'Zoë 😀 Ærøskøbing €'
    const text =
      HEADER + csvRow('a', auditJson('a', { UserId: name })) + csvRow('b', auditJson('b'))
    const bytes = Buffer.from(text)
    for (const size of [1, 2, 3, 5, 7]) {
      const chunks: Buffer[] = []
      for (let at = 0; at < bytes.length; at += size) {
        chunks.push(bytes.subarray(at, at + size))
      }
      const result = await collect(importAuditStream(chunks, 'split.csv'))
      expect(result.records.map((r) => r.userId)).toEqual([name, 'zoë.müller@contoso.example'])
      expect(result.records[0]?.raw).toBe(auditJson('a', { UserId: name }))
    }
    // And from disk, with a character straddling the importer's 256 KiB read size.
    const boundary = 256 * 1024
    const euro = Buffer.from('€')
    const build = (pad: number): Buffer =>
      Buffer.from(
        HEADER +
          csvRow('p', auditJson('p', { Pad: 'y'.repeat(pad), Note: '€€€' })) +
          csvRow('q', auditJson('q'))
      )
    const bytesOnDisk = build(boundary - 1 - build(0).indexOf(euro))
    expect(bytesOnDisk.indexOf(euro)).toBe(boundary - 1)
    const file = join(dir, 'boundary.csv')
    await writeFile(file, bytesOnDisk)
    const onDisk = await collect(importAuditFile(file))
    expect(onDisk.rejections).toEqual([])
    expect(onDisk.records.map((r) => r.id)).toEqual(['p', 'q'])
    expect(JSON.parse(onDisk.records[0]?.raw ?? '{}').Note).toBe('€€€')
  })
})
