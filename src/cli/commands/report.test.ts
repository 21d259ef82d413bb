import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import ExcelJS from 'exceljs'
import { parse } from 'parse5'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { emptyDelta } from '../../shared/acquisition'
import type { LedgerWindow } from '../../shared/acquisition'
import type { NormalizedRecord } from '../../shared/audit'
import {
  connectionId,
  crafted,
  customApiId,
  signIn,
  TENANT
} from '../../shared/governance/test-records'
import { nextLogEntry } from '../../shared/snapshot'
import { nodeSha256, writeSnapshot } from '../../main/services/snapshot'
import { FileStore } from '../../main/services/store/file-store'
import { runCli } from '../cli'
import { memoryIo } from '../test-io'
import type { MemoryIo } from '../test-io'
import { ExitCode } from '../exit-codes'

const CONN = connectionId('shared_sql', 1)
const API = customApiId('invoice')
const ALICE = 'alice@contoso.example'
const BOB_OID = 'b0b00000-0000-0000-0000-000000000000'

function records(): NormalizedRecord[] {
  return [
    signIn('s-bob', '2026-05-18T08:00:00', 'bob@contoso.example', BOB_OID),
    crafted({
      id: 'c1',
      at: '2026-05-18T09:00:00',
      operation: 'PutConnection',
      resource: CONN,
      actor: ALICE,
      environmentName: 'Finance <Prod>'
    }),
    crafted({
      id: 'c2',
      at: '2026-05-18T10:00:00',
      operation: 'PutConnectionPermission',
      resource: CONN,
      actor: ALICE,
      permission: 'CanEdit',
      target: BOB_OID
    }),
    crafted({
      id: 'c3',
      at: '2026-05-18T11:00:00',
      operation: 'PutConnectionPermission',
      resource: CONN,
      actor: ALICE,
      permission: 'CanView',
      target: TENANT
    }),
    crafted({
      id: 'a1',
      at: '2026-05-18T12:00:00',
      operation: 'PutApi',
      resource: API,
      actor: '=HYPERLINK("http://evil.example","x")'
    }),
    crafted({
      id: 'a2',
      at: '2026-05-18T13:00:00',
      operation: 'DeleteApi',
      resource: API,
      actor: '<script>alert(1)</script>'
    }),
    crafted({
      id: 'd1',
      at: '2026-05-19T14:00:00',
      operation: 'ConnectionDlpEvaluationResultChange',
      resource: connectionId('shared_twitter', 5)
    })
  ]
}

function window(): LedgerWindow {
  return {
    key: `graph|${TENANT}|power-platform|2026-05-18T00:00:00.000Z`,
    tenantId: TENANT,
    source: 'graph',
    contentType: 'power-platform',
    start: '2026-05-18T00:00:00.000Z',
    end: '2026-05-19T00:00:00.000Z',
    status: 'complete',
    listed: 6,
    received: 6,
    new: 6,
    duplicate: 0,
    rejected: 0,
    failedBlobs: 0,
    expiredBlobs: 0,
    attempts: 1,
    listCount: 1,
    lastError: null,
    firstListedAt: '2026-05-20T00:00:00.000Z',
    lastListedAt: '2026-05-20T00:00:00.000Z',
    completedAt: '2026-05-20T00:00:00.000Z',
    updatedAt: '2026-05-20T00:00:00.000Z'
  }
}

async function cax(dir: string, ...argv: string[]): Promise<{ code: number; io: MemoryIo }> {
  const io = memoryIo(dir)
  const code = await runCli(argv, io)
  return { code, io }
}

async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(path)
  return workbook
}

/** A sheet as objects keyed by header. */
function sheetRows(
  workbook: ExcelJS.Workbook,
  name: string
): Array<Record<string, ExcelJS.CellValue>> {
  const sheet = workbook.getWorksheet(name)
  if (!sheet) {
    throw new Error(`no sheet ${name}`)
  }
  const headers = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String)
  const out: Array<Record<string, ExcelJS.CellValue>> = []
  sheet.eachRow((row, n) => {
    if (n === 1) {
      return
    }
    const values = (row.values as ExcelJS.CellValue[]).slice(1)
    out.push(Object.fromEntries(headers.map((h, i) => [h, values[i] ?? null])))
  })
  return out
}

interface Node {
  nodeName: string
  tagName?: string
  value?: string
  attrs?: Array<{ name: string; value: string }>
  childNodes?: Node[]
  content?: Node
}

function walk(node: Node, visit: (n: Node) => void): void {
  visit(node)
  for (const child of node.childNodes ?? []) {
    walk(child, visit)
  }
}

function elements(doc: Node, tag: string): Node[] {
  const out: Node[] = []
  walk(doc, (n) => {
    if (n.tagName === tag) {
      out.push(n)
    }
  })
  return out
}

function textOf(node: Node): string {
  let text = ''
  walk(node, (n) => {
    if (n.nodeName === '#text') {
      text += n.value ?? ''
    }
  })
  return text
}

function attr(node: Node, name: string): string | undefined {
  return node.attrs?.find((a) => a.name === name)?.value
}

describe('cax report', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-report-'))
    const store = await FileStore.open(join(dir, 'store'))
    try {
      await store.commit({ records: records(), ledger: { ...emptyDelta(), windows: [window()] } })
    } finally {
      await store.close()
    }
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes an XLSX whose sheets hold the cover, counts, resources, sharing, findings and records, Excel-safe', async () => {
    const { code, io } = await cax(
      dir,
      'report',
      '--store',
      'store',
      '--out',
      'pack.xlsx',
      '--json'
    )
    expect(code, io.err()).toBe(ExitCode.ok)
    expect(io.json()).toMatchObject({
      command: 'report',
      records: 7,
      resources: 3,
      fingerprint: null
    })
    const wb = await readWorkbook(join(dir, 'pack.xlsx'))
    expect(wb.worksheets.map((s) => s.name)).toEqual([
      'Cover',
      'Summary',
      'Resources',
      'Sharing',
      'Findings',
      'Records'
    ])

    const cover = new Map(sheetRows(wb, 'Cover').map((r) => [r.Item, r.Value]))
    expect(cover.get('Period (UTC)')).toBe('2026-05-18T08:00:00Z – 2026-05-19T14:00:00Z')
    expect(cover.get('Snapshot fingerprint')).toBe(
      'none: made from a working store, not from a snapshot'
    )
    expect(cover.get('Records')).toBe('7')
    expect(cover.get('Coverage')).toMatch(
      /^31 h: 16 complete, 0 partial, 15 gap, 0 pending, 0 imported from a file$/
    )

    const summary = sheetRows(wb, 'Summary')
    expect(summary.find((r) => r['Counted by'] === 'Actor' && r.Value === ALICE)).toMatchObject({
      Count: 3
    })

    const resources = sheetRows(wb, 'Resources')
    const conn = resources.find((r) => r.ResourceId === CONN)
    expect(conn).toMatchObject({
      Kind: 'connection',
      State: 'active',
      'Created by': ALICE,
      Environment: 'Finance <Prod>'
    })
    expect(conn?.['Created (UTC)']).toEqual(new Date('2026-05-18T09:00:00Z'))
    const api = resources.find((r) => r.ResourceId === API)
    expect(api).toMatchObject({ State: 'deleted', 'State record': 'a2' })
    // Formula injection from the data is neutralised in every sheet.
    expect(api?.['Created by']).toBe(`'=HYPERLINK("http://evil.example","x")`)

    const sharing = sheetRows(wb, 'Sharing').filter((r) => r.ResourceId === CONN)
    expect(
      sharing.map((r) => [
        r['Principal name'],
        r.Permission,
        r.Reaches,
        r['Granted by'],
        r['Grant record']
      ])
    ).toEqual([
      [ALICE, 'Owner (creator)', 'person', ALICE, 'c1'],
      ['bob@contoso.example', 'CanEdit', 'person', ALICE, 'c2'],
      [TENANT, 'CanView', 'organisation', ALICE, 'c3']
    ])

    const findings = sheetRows(wb, 'Findings')
    expect(findings.find((r) => r.Rule === 'shared-with-organisation')).toMatchObject({
      'Record Ids': 'c3',
      'Count (rule)': 1
    })
    expect(findings.find((r) => r.Rule === 'short-lived-custom-api')).toMatchObject({
      'Record Ids': 'a1, a2'
    })
    expect(findings.find((r) => r.Rule === 'dlp-turned-off')?.Reason).toMatch(
      /turned off 1 connection/
    )
    expect(findings.find((r) => r.Rule === 'deletion-burst')?.Reason).toMatch(
      /^None found\. At least 5 deletions/
    )

    const recs = sheetRows(wb, 'Records')
    expect(recs).toHaveLength(7)
    expect(recs.map((r) => r.Id).sort()).toEqual(
      records()
        .map((r) => r.id)
        .sort()
    )
    const sheet = wb.getWorksheet('Records')
    sheet?.eachRow((row) =>
      row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula))
    )
  })

  it('writes the same pack as self-contained, escaped HTML with a histogram and a coverage strip', async () => {
    const { code, io } = await cax(
      dir,
      'report',
      '--store',
      'store',
      '--out',
      'pack.xlsx',
      '--tz',
      'Europe/Paris'
    )
    expect(code, io.err()).toBe(ExitCode.ok)
    const html = await readFile(join(dir, 'pack.html'), 'utf8')
    const doc = parse(html) as unknown as Node
    expect(elements(doc, 'script')).toHaveLength(0)
    for (const tag of ['link', 'img', 'iframe']) {
      expect(elements(doc, tag)).toHaveLength(0)
    }
    // The hostile actor name is text, not markup.
    expect(textOf(doc)).toContain('<script>alert(1)</script>')
    const svgs = elements(doc, 'svg')
    expect(svgs.map((s) => attr(s, 'aria-label'))).toEqual(['Coverage by hour', 'Events per hour'])
    const [coverageSvg, histogramSvg] = svgs as [Node, Node]
    // 2026-05-18T08:00Z … 2026-05-19T14:00Z: 31 hourly bars, 7 of them non-empty.
    const bars = elements(histogramSvg, 'rect')
    expect(bars).toHaveLength(31)
    expect(bars.filter((b) => Number(attr(b, 'height')) > 0)).toHaveLength(7)
    expect(elements(coverageSvg, 'rect').map((r) => attr(r, 'fill'))).toEqual([
      '#2e7d32',
      '#c62828'
    ])
    // Times are in the chosen zone, named.
    expect(textOf(doc)).toContain('2026-05-18 11:00:00 (UTC+01:00/+02:00 Europe/Paris)')
    // Findings link to the records they cite.
    const links = elements(doc, 'a').map((a) => attr(a, 'href'))
    expect(links).toContain('#rec-c3')
    const anchors = new Set(
      elements(doc, 'td')
        .map((t) => attr(t, 'id'))
        .filter(Boolean)
    )
    for (const href of links) {
      expect(anchors.has(href?.slice(1))).toBe(true)
    }
  })

  it('puts the fingerprint of a verified snapshot on the cover and the annotations on the records', async () => {
    const entry = nextLogEntry(
      [],
      {
        at: '2026-05-20T00:00:00.000Z',
        actor: 'tester',
        action: 'snapshot',
        source: 'test',
        parameters: {},
        counts: {}
      },
      nodeSha256
    )
    const snap = join(dir, 'evidence.caxsnap')
    await writeSnapshot(snap, {
      records: records(),
      ledger: { version: 1, windows: { [window().key]: window() }, blobs: {}, queries: {} },
      annotations: { c3: { tags: ['org-wide'], comment: '=cmd|/c calc' } },
      acquisitionLog: [entry],
      appVersion: 'test'
    })
    const verify = await cax(dir, 'verify', snap, '--json')
    const fingerprint = verify.io.json().fingerprint as string
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)

    const { code, io } = await cax(
      dir,
      'report',
      '--snapshot',
      snap,
      '--expect',
      fingerprint,
      '--out',
      'pack.xlsx',
      '--no-html',
      '--json'
    )
    expect(code, io.err()).toBe(ExitCode.ok)
    expect(io.json().fingerprint).toBe(fingerprint)
    expect(existsSync(join(dir, 'pack.html'))).toBe(false)
    const wb = await readWorkbook(join(dir, 'pack.xlsx'))
    const cover = new Map(sheetRows(wb, 'Cover').map((r) => [r.Item, r.Value]))
    expect(cover.get('Snapshot fingerprint')).toBe(fingerprint)
    expect(cover.get('Snapshot verification')).toMatch(
      /^intact: \d+ parts verified, fingerprint as expected$/
    )
    const c3 = sheetRows(wb, 'Records').find((r) => r.Id === 'c3')
    expect(c3).toMatchObject({ Tags: 'org-wide', Comment: `'=cmd|/c calc` })
  })

  it('refuses a snapshot that fails verification and writes nothing', async () => {
    const snap = join(dir, 'evidence.caxsnap')
    expect((await cax(dir, 'snapshot', '--store', 'store', '--out', snap)).code).toBe(ExitCode.ok)
    const { code, io } = await cax(
      dir,
      'report',
      '--snapshot',
      snap,
      '--expect',
      '0'.repeat(64),
      '--out',
      'pack.xlsx'
    )
    expect(code).toBe(ExitCode.tampered)
    expect(io.err()).toMatch(/failed verification; no pack was written/)
    expect(existsSync(join(dir, 'pack.xlsx'))).toBe(false)
  })

  it('keeps only records in --from/--to, and refuses bad arguments and settings with exit 2', async () => {
    const ranged = await cax(
      dir,
      'report',
      '--store',
      'store',
      '--out',
      'r.xlsx',
      '--from',
      '2026-05-19T00:00:00Z',
      '--no-html',
      '--json'
    )
    expect(ranged.io.json()).toMatchObject({ records: 1, resources: 1 })

    expect((await cax(dir, 'report', '--out', 'x.xlsx')).code).toBe(ExitCode.invalidInput)
    expect(
      (await cax(dir, 'report', '--store', 'store', '--snapshot', 's', '--out', 'x.xlsx')).code
    ).toBe(ExitCode.invalidInput)
    expect(
      (await cax(dir, 'report', '--store', 'store', '--out', 'x.xlsx', '--tz', 'Mars/Base')).code
    ).toBe(ExitCode.invalidInput)
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ workingHours: { start: '25:00' } }))
    const bad = await cax(
      dir,
      'report',
      '--store',
      'store',
      '--out',
      'x.xlsx',
      '--settings',
      'bad.json'
    )
    expect(bad.code).toBe(ExitCode.invalidInput)
    expect(bad.io.err()).toMatch(/workingHours\.start: must be HH:MM/)
    await writeFile(join(dir, 'good.json'), JSON.stringify({ disabledRules: ['dlp-turned-off'] }))
    const good = await cax(
      dir,
      'report',
      '--store',
      'store',
      '--out',
      'g.xlsx',
      '--settings',
      'good.json',
      '--no-html',
      '--json'
    )
    expect(good.code).toBe(ExitCode.ok)
    expect(Object.keys(good.io.json().findingsByRule as object)).not.toContain('dlp-turned-off')
    expect(existsSync(join(dir, 'x.xlsx'))).toBe(false)
  })
})
