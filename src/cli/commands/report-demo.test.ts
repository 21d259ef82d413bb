import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startEmulator } from '../../emulator'
import type { Emulator } from '../../emulator'
import type { NormalizedRecord } from '../../shared/audit'
import { FileStore } from '../../main/services/store/file-store'
import { runCli } from '../cli'
import { ExitCode } from '../exit-codes'
import { memoryIo } from '../test-io'

/**
 * The "Done when", on the demo tenant: pulled from the emulator with `cax pull`, packed
 * with `cax report`, and each question answered from the pack's sheets alone — then checked
 * against the raw records, computed independently here.
 */

const APP_ID = '7e6d5c4b-3333-4444-8555-a66667777888'
const SECRET = 'report-demo-secret'
const HOUR = 3_600_000

type Row = Record<string, ExcelJS.CellValue>

function sheetRows(workbook: ExcelJS.Workbook, name: string): Row[] {
  const sheet = workbook.getWorksheet(name)
  if (!sheet) {
    throw new Error(`no sheet ${name}`)
  }
  const headers = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String)
  const out: Row[] = []
  sheet.eachRow((row, n) => {
    if (n > 1) {
      const values = (row.values as ExcelJS.CellValue[]).slice(1)
      out.push(Object.fromEntries(headers.map((h, i) => [h, values[i] ?? null])))
    }
  })
  return out
}

const key = (id: string): string => id.trim().replace(/\/+$/, '').toLowerCase()

describe('the demo tenant: the three questions, answered from the review pack', () => {
  let emu: Emulator
  let dir: string
  let records: NormalizedRecord[]
  let pack: ExcelJS.Workbook
  const now = Date.now()

  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'demo', seed: 14 })
    emu.entra.setClientSecret(APP_ID, SECRET)
    dir = await mkdtemp(join(tmpdir(), 'cax-report-demo-'))
    await writeFile(join(dir, 'ca.pem'), emu.caCertPem)
    const pull = memoryIo(dir, { CAX_TEST_SECRET: SECRET })
    const code = await runCli(
      [
        'pull',
        '--store',
        'store',
        '--tenant',
        emu.tenantId,
        '--client-id',
        APP_ID,
        '--client-secret-env',
        'CAX_TEST_SECRET',
        '--since',
        // Six days, not two: the demo tenant is quiet at weekends, and a two-day window ending on
        // a Sunday evening held no share with a guest (40 shares, none to a guest). Every six-day
        // window of the 60 days before 2026-12-06 holds at least 9 (545 shares or more).
        new Date(now - 6 * 24 * HOUR).toISOString(),
        '--until',
        new Date(now - 2 * HOUR).toISOString(),
        '--api-base',
        emu.urls.managementApiBase,
        '--graph-base',
        emu.urls.graphBase,
        '--authority-host',
        emu.urls.authorityHost,
        '--ca-file',
        'ca.pem',
        '--json'
      ],
      pull
    )
    expect([ExitCode.ok, ExitCode.partial], pull.err()).toContain(code)
    const store = await FileStore.open(join(dir, 'store'))
    records = []
    try {
      for await (const r of store.records()) {
        records.push(r)
      }
    } finally {
      await store.close()
    }
    const report = memoryIo(dir)
    expect(
      await runCli(['report', '--store', 'store', '--out', 'pack.xlsx', '--json'], report)
    ).toBe(ExitCode.ok)
    pack = new ExcelJS.Workbook()
    await pack.xlsx.readFile(join(dir, 'pack.xlsx'))
  }, 300_000)

  afterAll(async () => {
    await emu?.close()
    if (dir) {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('who can use connection X, since when, granted by whom', () => {
    const byId = new Map(records.map((r) => [r.id, r]))
    const grants = sheetRows(pack, 'Sharing').filter(
      (r) => r.Kind === 'connection' && r.Permission !== 'Owner (creator)'
    )
    expect(grants.length).toBeGreaterThan(0)
    for (const g of grants) {
      const record = byId.get(String(g['Grant record']))
      expect(record, `grant record ${String(g['Grant record'])}`).toBeDefined()
      if (!record) {
        continue
      }
      // The sheet says what the record says, without anyone reading its JSON.
      expect(record.operation).toBe('PutConnectionPermission')
      expect(key(record.resource)).toBe(key(String(g.ResourceId)))
      expect(record.targetUserId).toBe(g.Principal)
      expect(record.permissionType).toBe(g.Permission)
      expect(record.userId).toBe(g['Granted by'])
      expect((g['Granted (UTC)'] as Date).getTime()).toBe(record.createdAtMs)
      expect((g['Since (UTC)'] as Date).getTime()).toBeLessThanOrEqual(record.createdAtMs)
      // The principal is named by UPN, learnt from the cache; a share with the whole
      // organisation names the tenant itself and says whom it reaches.
      if (g.Principal === emu.tenantId) {
        expect(g.Reaches).toBe('organisation')
      } else {
        expect(String(g['Principal name'])).toMatch(/@/)
      }
      // Independently: no later removal or deletion took it away.
      const later = records.filter(
        (r) =>
          key(r.resource) === key(record.resource) &&
          r.createdAtMs > record.createdAtMs &&
          (r.operation === 'DeleteConnection' ||
            (r.operation === 'DeleteConnectionPermission' &&
              r.targetUserId === record.targetUserId))
      )
      expect(later).toEqual([])
    }
    // The demo shares some connections with everyone and some with guests (#EXT# accounts).
    expect(grants.some((g) => g.Reaches === 'organisation')).toBe(true)
    expect(
      grants.some((g) => g.Reaches === 'guest' && /#EXT#@/.test(String(g['Principal name'])))
    ).toBe(true)
  })

  it('which custom APIs were created this week, and are they still there', () => {
    const weekAgo = now - 7 * 24 * HOUR
    const apis = sheetRows(pack, 'Resources').filter((r) => r.Kind === 'custom-api')
    const createdThisWeek = apis.filter(
      (r) => r['Created (UTC)'] instanceof Date && (r['Created (UTC)'] as Date).getTime() >= weekAgo
    )
    expect(createdThisWeek.length).toBeGreaterThan(0)
    for (const api of apis) {
      // Independently: the last create or delete record of the API decides whether it is there.
      const lifecycle = records
        .filter(
          (r) =>
            key(r.resource) === key(String(api.ResourceId)) &&
            (r.operation === 'PutApi' || r.operation === 'DeleteApi')
        )
        .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
      const last = lifecycle[lifecycle.length - 1]
      expect(api.State).toBe(last?.operation === 'DeleteApi' ? 'deleted' : 'active')
      if (last) {
        expect(api['State record']).toBe(last.id)
        expect(String(api['State rests on'])).toContain(last.id)
      }
      const firstCreate = lifecycle.find((r) => r.operation === 'PutApi')
      expect(api['Create record'] ?? null).toBe(firstCreate?.id ?? null)
    }
  })

  it('what did the data policy turn off', () => {
    const expected = records
      .filter((r) => r.operation === 'ConnectionDlpEvaluationResultChange')
      .map((r) => r.id)
      .sort()
    expect(expected.length).toBeGreaterThan(0)
    const finding = sheetRows(pack, 'Findings').filter((r) => r.Rule === 'dlp-turned-off')
    const cited = finding.flatMap((r) => String(r['Record Ids']).split(', ')).sort()
    expect(cited).toEqual(expected)
    const offConnections = new Set(
      records
        .filter((r) => r.operation === 'ConnectionDlpEvaluationResultChange')
        .map((r) => key(r.resource))
    )
    const off = sheetRows(pack, 'Resources').filter((r) => r.State === 'turned-off')
    expect(off.length).toBeGreaterThan(0)
    for (const row of off) {
      expect(offConnections.has(key(String(row.ResourceId)))).toBe(true)
      expect(expected).toContain(row['State record'])
    }
  })

  it('hands a reviewer a pack that ties back to a verifiable snapshot', async () => {
    const io = memoryIo(dir)
    expect(
      await runCli(['snapshot', '--store', 'store', '--out', 'demo.caxsnap', '--json'], io)
    ).toBe(ExitCode.ok)
    const fingerprint = io.json().fingerprint
    const report = memoryIo(dir)
    expect(
      await runCli(
        ['report', '--snapshot', 'demo.caxsnap', '--out', 'snap-pack.xlsx', '--no-html', '--json'],
        report
      )
    ).toBe(ExitCode.ok)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(join(dir, 'snap-pack.xlsx'))
    const cover = new Map(sheetRows(wb, 'Cover').map((r) => [r.Item, r.Value]))
    expect(cover.get('Snapshot fingerprint')).toBe(fingerprint)
    const verify = memoryIo(dir)
    expect(await runCli(['verify', 'demo.caxsnap', '--expect', String(fingerprint)], verify)).toBe(
      ExitCode.ok
    )
    expect(sheetRows(wb, 'Records')).toHaveLength(records.length)
  })
})
