import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { emptyLedger } from '../../shared/acquisition'
import { DEFAULT_GOVERNANCE_SETTINGS } from '../../shared/governance'
import { connectionId, crafted, customApiId } from '../../shared/governance/test-records'
import type { AppCore } from '../app-core'
import { verifySnapshot } from '../services/snapshot'

import { startTestCore } from './test-core'

const API = customApiId('pilot')
const records = [
  crafted({ id: 'a1', at: '2026-05-19T10:00:00', operation: 'PutApi', resource: API }),
  crafted({ id: 'a2', at: '2026-05-19T13:00:00', operation: 'DeleteApi', resource: API }),
  crafted({
    id: 'g1',
    at: '2026-05-19T14:00:00',
    operation: 'PutConnectionPermission',
    resource: connectionId('shared_sql', 1),
    permission: 'CanView',
    target: 'Everyone',
    // A value a spreadsheet would run as a formula.
    actor: '=HYPERLINK("http://evil.example")'
  })
]

function sheet(workbook: ExcelJS.Workbook, name: string): Record<string, unknown>[] {
  const ws = workbook.getWorksheet(name)
  if (!ws) {
    throw new Error(`no sheet ${name}`)
  }
  const headers = (ws.getRow(1).values as unknown[]).slice(1).map(String)
  const rows: Record<string, unknown>[] = []
  ws.eachRow((row, n) => {
    if (n > 1) {
      const values = (row.values as unknown[]).slice(1)
      rows.push(Object.fromEntries(headers.map((h, i) => [h, values[i] ?? null])))
    }
  })
  return rows
}

describe('review packs from the app, through the dispatcher (both transports use it)', () => {
  let dir: string
  let core: AppCore
  let close: () => Promise<void>

  beforeEach(async () => {
    ;({ dir, core, close } = await startTestCore('cax-pack-rpc-', (folder) => ({
      snapshotLocations: { chooseExportPath: async (name) => join(folder, `${name}.caxsnap`) }
    })))
  })

  afterEach(() => close())

  it('writes a snapshot of the records, then the XLSX and HTML from it, tied by its fingerprint', async () => {
    const begun = await core.dispatch('reports:begin', {
      suggestedName: 'pack',
      ledger: emptyLedger(),
      annotations: { a1: { tags: ['pilot'], comment: '+1 check this' } },
      settings: DEFAULT_GOVERNANCE_SETTINGS,
      timeZone: 'utc'
    })
    expect(begun).toMatchObject({ ok: true, value: { path: join(dir, 'pack') } })
    const packId = (begun as { value: { packId: string } }).value.packId
    expect(await core.dispatch('reports:append', { packId, records })).toMatchObject({
      ok: true,
      value: { records: 3 }
    })
    const finished = await core.dispatch('reports:finish', { packId })
    expect(finished).toMatchObject({
      ok: true,
      value: {
        snapshotPath: join(dir, 'pack.caxsnap'),
        xlsxPath: join(dir, 'pack.xlsx'),
        htmlPath: join(dir, 'pack.html'),
        records: 3,
        resources: 2
      }
    })
    const { fingerprint } = (finished as { value: { fingerprint: string } }).value
    const verified = await verifySnapshot(join(dir, 'pack.caxsnap'))
    expect(verified.ok).toBe(true)
    expect(verified.fingerprint).toBe(fingerprint)

    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(join(dir, 'pack.xlsx'))
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      'Cover',
      'Summary',
      'Resources',
      'Sharing',
      'Findings',
      'Records'
    ])
    const cover = new Map(sheet(workbook, 'Cover').map((r) => [r.Item, r.Value]))
    expect(cover.get('Snapshot fingerprint')).toBe(fingerprint)
    expect(sheet(workbook, 'Records')).toHaveLength(3)
    const findings = sheet(workbook, 'Findings')
    expect(
      findings.find((r) => r.Rule === 'short-lived-custom-api' && r['Record Ids'] === 'a1, a2')
    ).toBeDefined()
    // Excel-safe: the formula-like actor is text, neutralised, never a formula.
    const grant = sheet(workbook, 'Sharing').find((r) => r.Principal === 'Everyone')
    expect(String(grant?.['Granted by'])).toBe(`'=HYPERLINK("http://evil.example")`)
    const html = await readFile(join(dir, 'pack.html'), 'utf8')
    expect(html).toContain(fingerprint)
    expect(html).not.toContain('<script')
  })

  it('refuses bad settings naming the field, and a cancelled pack leaves no file', async () => {
    const bad = await core.dispatch('reports:begin', {
      suggestedName: 'bad',
      ledger: emptyLedger(),
      annotations: {},
      settings: { ...DEFAULT_GOVERNANCE_SETTINGS, burst: { windowMinutes: 10, minEvents: 1 } },
      timeZone: 'utc'
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'ipc/invalid-input' } })
    expect((bad as { error: { message: string } }).error.message).toMatch(/minEvents/)
    const begun = await core.dispatch('reports:begin', {
      suggestedName: 'gone',
      ledger: emptyLedger(),
      annotations: {},
      settings: DEFAULT_GOVERNANCE_SETTINGS,
      timeZone: 'local'
    })
    const packId = (begun as { value: { packId: string } }).value.packId
    await core.dispatch('reports:append', { packId, records })
    expect(await core.dispatch('reports:cancel', { packId })).toMatchObject({
      ok: true,
      value: { cancelled: true }
    })
    expect(await core.dispatch('reports:finish', { packId })).toMatchObject({
      ok: false,
      error: { code: 'snapshot/unknown-export' }
    })
    expect((await readdir(dir)).filter((f) => f.startsWith('gone'))).toEqual([])
  })
})
