import { createHash } from 'node:crypto'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { deflateRawSync } from 'node:zlib'

import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import type { LedgerWindow } from '../shared/acquisition'
import { decodeRecordLine } from '../shared/export'
import { ZipReader } from '../main/services/snapshot'
import { buildRawZip, deflatedEntry } from '../main/services/snapshot/test-zip'
import { FileStore } from '../main/services/store/file-store'

import { COMMANDS, runCli } from './cli'
import { ExitCode } from './exit-codes'
import { memoryIo } from './test-io'

const FIXTURES = resolve(__dirname, '../main/services/import/fixtures')
let dir = ''

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-cli-'))
  await copyFile(join(FIXTURES, 'purview-current.csv'), join(dir, 'purview.csv'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function cax(...argv: string[]): Promise<{ code: number; io: ReturnType<typeof memoryIo> }> {
  const io = memoryIo(dir)
  const code = await runCli(argv, io)
  return { code, io }
}

describe('cax', () => {
  it('lists every command in --help, and each command has --help', async () => {
    const { code, io } = await cax('--help')
    expect(code).toBe(ExitCode.ok)
    for (const name of Object.keys(COMMANDS)) {
      expect(io.out()).toContain(`  ${name} `)
      const sub = await cax(name, '--help')
      expect(sub.code).toBe(ExitCode.ok)
      expect(sub.io.out()).toMatch(/usage: cax /)
    }
    expect((await cax('frobnicate')).code).toBe(ExitCode.invalidInput)
    expect((await cax('import', '--store')).code).toBe(ExitCode.invalidInput)
  })

  it('import reports every rejected row with its line, collapses and counts duplicates', async () => {
    const first = await cax('import', 'purview.csv', '--store', 'store', '--json')
    expect(first.code).toBe(ExitCode.partial)
    expect(first.io.json()).toMatchObject({
      command: 'import',
      records: 7,
      new: 4,
      duplicates: 1,
      rejected: 2
    })
    expect(first.io.err()).toMatch(/purview\.csv:72: rejected \(audit-data-not-json\)/)
    expect(first.io.err()).toMatch(/purview\.csv:73: rejected \(bad-date\)/)
    const again = await cax('import', 'purview.csv', '--store', 'store', '--json')
    expect(again.io.json()).toMatchObject({ new: 0, duplicates: 5, rejected: 2 })
    const missing = await cax('import', 'nope.csv', '--store', 'store')
    expect(missing.code).toBe(ExitCode.invalidInput)
    expect(missing.io.err()).toMatch(/cannot read .*nope\.csv/)
  })

  it('import writes the hours of its records to the ledger; coverage shows them as imported', async () => {
    const imported = await cax('import', 'purview.csv', '--store', 'filecov', '--json')
    expect(imported.code).toBe(ExitCode.partial)
    const store = await FileStore.open(join(dir, 'filecov'))
    const windows = Object.values((await store.ledger()).windows)
    await store.close()
    expect(windows.length).toBeGreaterThan(0)
    expect(windows.every((w) => w.source === 'file' && w.contentType === 'file:purview.csv')).toBe(
      true
    )
    // 2024-03-01 10:11:12 is a record of the file: its hour reads "imported", never complete.
    const { code, io } = await cax(
      'coverage',
      '--store',
      'filecov',
      '--from',
      '2024-03-01T09:00Z',
      '--to',
      '2024-03-01T12:00Z',
      '--json'
    )
    expect(io.json()).toMatchObject({ hours: 3, complete: 0, imported: 1 })
    expect(io.out()).toMatch(
      /2024-03-01T10:00Z – 2024-03-01T11:00Z {2}imported +1 h {2}imported from a file \(purview\.csv\)/
    )
    expect(code).toBe(ExitCode.partial) // the hours around it were never requested: gaps
    const log = (await readFile(join(dir, 'filecov', 'cax-acquisition-log.ndjson'), 'utf8')).trim()
    expect(JSON.parse(log).parameters).toMatchObject({
      format: 'purview-csv',
      complete: true,
      // The SHA-256 of the file imported, as `sha256sum` gives it.
      sha256: createHash('sha256')
        .update(await readFile(join(FIXTURES, 'purview-current.csv')))
        .digest('hex')
    })
    expect(JSON.parse(log).parameters.firstRecordHour).toMatch(/^20\d\d-/)
  })

  it('exports CSV with the zone in the header, filters and columns', async () => {
    const { code, io } = await cax(
      'export',
      '--store',
      'store',
      '--format',
      'csv',
      '--out',
      'out.csv',
      '--tz',
      'UTC',
      '--columns',
      'createdAt,id,operation',
      '--filter-operation',
      'PutConnection,LaunchPowerApp',
      '--json'
    )
    expect(code).toBe(ExitCode.ok)
    expect(io.json()).toMatchObject({ records: 2, parts: 1, timeZone: 'UTC' })
    const text = await readFile(join(dir, 'out.csv'), 'utf8')
    expect(text.startsWith('\ufeffCreationTime (UTC),Id,Operation\r\n')).toBe(true)
    expect(text).toContain(
      '2026-05-19 13:17:34,e2a84675-8952-4d91-a2ea-4d89f310f1a7,LaunchPowerApp\r\n'
    )
    expect(text).toContain(
      '2024-03-01 10:11:12,11111111-aaaa-4bbb-8ccc-000000000001,PutConnection\r\n'
    )

    const split = await cax(
      'export',
      '--store',
      'store',
      '--format',
      'csv',
      '--out',
      'split.csv',
      '--max-rows-per-part',
      '3',
      '--json'
    )
    expect(split.io.json()).toMatchObject({ records: 4, parts: 2 })
    expect(await readFile(join(dir, 'split-part2.csv'), 'utf8')).toMatch(
      /^\ufeffCreationTime \(UTC\)/
    )

    const badTz = await cax(
      'export',
      '--store',
      'store',
      '--format',
      'csv',
      '--out',
      'x.csv',
      '--tz',
      'Nowhere/City'
    )
    expect(badTz.code).toBe(ExitCode.invalidInput)
    expect(badTz.io.err()).toMatch(/Unknown time zone 'Nowhere\/City'/)
    const badCol = await cax(
      'export',
      '--store',
      'store',
      '--format',
      'csv',
      '--out',
      'x.csv',
      '--columns',
      'id,bogus'
    )
    expect(badCol.code).toBe(ExitCode.invalidInput)
    expect(badCol.io.err()).toMatch(/Unknown column 'bogus'/)
  })

  it('exports a large store as CSV and NDJSON without a single process warning', async () => {
    // Enough bytes that the file streams push back hundreds of times (the listener leak showed
    // as MaxListenersExceededWarning after ten).
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({
        Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        CreationTime: '2026-05-19T13:17:34',
        Operation: 'CreateConnection',
        RecordType: 256,
        UserType: 0,
        UserKey: '1003200000000001',
        UserId: 'admin@contoso.example',
        Workload: 'PowerPlatform',
        OrganizationId: '6f9a1b2c-1111-4222-8333-944445555666',
        ResultStatus: 'Succeeded',
        Padding: 'x'.repeat(1500)
      })
    )
    await writeFile(join(dir, 'big.ndjson'), `${lines.join('\n')}\n`)
    expect((await cax('import', 'big.ndjson', '--store', 'big-store')).code).toBe(ExitCode.ok)
    const warnings: string[] = []
    const onWarning = (w: Error): void => {
      warnings.push(`${w.name}: ${w.message}`)
    }
    process.on('warning', onWarning)
    try {
      for (const format of ['csv', 'ndjson']) {
        const out = await cax(
          'export',
          '--store',
          'big-store',
          '--format',
          format,
          '--out',
          `big.${format}`,
          '--json'
        )
        expect(out.code).toBe(ExitCode.ok)
        expect(out.io.json()).toMatchObject({ records: 3000 })
      }
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).toEqual([])
  })

  it('exports lossless NDJSON and readable XLSX', async () => {
    expect(
      (await cax('export', '--store', 'store', '--format', 'ndjson', '--out', 'out.ndjson')).code
    ).toBe(0)
    const lines = (await readFile(join(dir, 'out.ndjson'), 'utf8')).trimEnd().split('\n')
    const store = await FileStore.open(join(dir, 'store'))
    const raws: string[] = []
    for await (const r of store.records()) {
      raws.push(r.raw)
    }
    await store.close()
    expect(lines.map((l, i) => decodeRecordLine(l, i + 1).raw)).toEqual(raws)

    expect(
      (
        await cax(
          'export',
          '--store',
          'store',
          '--format',
          'xlsx',
          '--out',
          'out.xlsx',
          '--columns',
          'createdAt,id,recordType'
        )
      ).code
    ).toBe(0)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(join(dir, 'out.xlsx'))
    const sheet = wb.worksheets[0]!
    expect(sheet.getRow(1).values).toEqual([undefined, 'CreationTime (UTC)', 'Id', 'RecordType'])
    expect(sheet.rowCount).toBe(5)
    expect(sheet.getCell('B2').value).toBe('e2a84675-8952-4d91-a2ea-4d89f310f1a7')
    expect(sheet.getCell('C2').value).toBe(256)
    expect((sheet.getCell('A2').value as Date).toISOString()).toBe('2026-05-19T13:17:34.000Z')
  })

  it('snapshot → verify ok → one flipped byte → verify exits 5 naming the part', async () => {
    const snap = await cax('snapshot', '--store', 'store', '--out', 'case.caxsnap', '--json')
    expect(snap.code).toBe(ExitCode.ok)
    const fingerprint = snap.io.json().fingerprint as string
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    const ok = await cax('verify', 'case.caxsnap', '--expect', fingerprint, '--json')
    expect(ok.code).toBe(ExitCode.ok)
    expect(ok.io.json()).toMatchObject({ ok: true, records: 4 })

    const path = join(dir, 'case.caxsnap')
    const bytes = await readFile(path)
    const zip = await ZipReader.open(path)
    const loc = zip.location('records.ndjson')!
    zip.close()
    const start =
      loc.localHeaderOffset +
      30 +
      bytes.readUInt16LE(loc.localHeaderOffset + 26) +
      bytes.readUInt16LE(loc.localHeaderOffset + 28)
    const at = start + Math.floor(loc.compressedSize / 2)
    bytes[at] = (bytes[at] ?? 0) ^ 0x10
    await writeFile(join(dir, 'tampered.caxsnap'), bytes)
    const bad = await cax('verify', 'tampered.caxsnap', '--json')
    expect(bad.code).toBe(ExitCode.tampered)
    expect(bad.io.json()).toMatchObject({ ok: false, failedParts: ['records.ndjson'] })
    expect(bad.io.err()).toMatch(/FAILED records\.ndjson/)
    expect((await cax('verify', 'missing.caxsnap')).code).toBe(ExitCode.invalidInput)
  })

  it('verify refuses a zip bomb (a few KB declaring 11 GB) as tampered, without unpacking it', async () => {
    const records = {
      name: 'records.ndjson',
      data: deflateRawSync(Buffer.alloc(1024 * 1024)),
      declaredSize: 11 * 1000 ** 3
    }
    await writeFile(
      join(dir, 'bomb.caxsnap'),
      buildRawZip([records, deflatedEntry('manifest.json', '{}')])
    )
    const bomb = await cax('verify', 'bomb.caxsnap')
    expect(bomb.code).toBe(ExitCode.tampered)
    expect(bomb.io.err()).toMatch(/FAILED records\.ndjson: .*zip bomb/)
  })

  it('coverage reads the ledger hour by hour', async () => {
    const window: LedgerWindow = {
      key: 'management|t1|Audit.General|2026-05-19',
      tenantId: 't1',
      source: 'management',
      contentType: 'Audit.General',
      start: '2026-05-19T00:00:00.000Z',
      end: '2026-05-20T00:00:00.000Z',
      status: 'complete',
      listed: 1,
      received: 1,
      new: 1,
      duplicate: 0,
      rejected: 0,
      failedBlobs: 0,
      expiredBlobs: 0,
      attempts: 1,
      listCount: 2,
      lastError: null,
      firstListedAt: '2026-05-20T02:00:00.000Z',
      lastListedAt: '2026-05-21T02:00:00.000Z',
      completedAt: '2026-05-21T02:00:00.000Z',
      updatedAt: '2026-05-21T02:00:00.000Z'
    }
    const store = await FileStore.open(join(dir, 'cov'))
    await store.commit({ records: [], ledger: { windows: [window], blobs: [], queries: [] } })
    await store.close()
    const { code, io } = await cax(
      'coverage',
      '--store',
      'cov',
      '--from',
      '2026-05-19T00:00Z',
      '--to',
      '2026-05-19T03:00Z',
      '--json'
    )
    expect(io.json()).toMatchObject({ command: 'coverage', hours: 3 })
    const summary = io.json()
    expect(
      (summary.complete as number) +
        (summary.pending as number) +
        (summary.gap as number) +
        (summary.partial as number) +
        (summary.imported as number)
    ).toBe(3)
    expect(code === ExitCode.ok || code === ExitCode.partial).toBe(true)
  })
})
