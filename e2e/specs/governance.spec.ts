import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'

import ExcelJS from 'exceljs'

import {
  crafted,
  connectionId,
  customApiId,
  signIn
} from '../../src/shared/governance/test-records'
import { expect, test } from '../fixtures/app'
import { ROOT } from '../fixtures/launchers'
import { ExplorerPage } from '../pages/explorer-page'
import { GovernancePage } from '../pages/governance-page'
import { SyncPage } from '../pages/sync-page'

// `npm run screenshots` refreshes the README's pictures from this flow; otherwise they go to
// test-results so a normal run never dirties the work tree.
const docsDir = process.env['CAX_SCREENSHOTS'] === '1' ? join(ROOT, 'docs', 'screenshots') : null

/** `8,120 of 19,502 records · …` → 19502 */
function cachedCount(status: string): number {
  return Number(/of ([\d,]+) records/.exec(status)?.[1]?.replace(/,/g, '') ?? 'NaN')
}

/** The record Ids of the rows the grid shows (ag-grid's row-id is the record Id). */
async function gridIds(explorer: ExplorerPage): Promise<string[]> {
  const ids = await explorer.rows.evaluateAll((rows) =>
    rows.map((row) => row.getAttribute('row-id') ?? '')
  )
  return [...new Set(ids)].sort()
}

test('the demo tenant as resources and findings: a timeline, who holds what, and exactly a finding’s records', async ({
  app
}, testInfo) => {
  test.setTimeout(20 * 60_000)
  const shot = (name: string): Promise<Buffer> =>
    app.page.screenshot({ path: join(docsDir ?? testInfo.outputDir, `${name}.png`) })
  await app.page.setViewportSize({ width: 1440, height: 860 })
  const explorer = new ExplorerPage(app.page)
  const sync = new SyncPage(app.page)
  const governance = new GovernancePage(app.page)
  await explorer.emptyState.waitFor()
  await app.page.getByRole('button', { name: 'Explore the demo tenant' }).click()
  expect(await sync.ended(1)).toMatch(/^(complete|partial)$/)
  await expect
    .poll(async () => cachedCount(await explorer.status.innerText()), { timeout: 120_000 })
    .toBeGreaterThan(1000)
  await expect(explorer.status).not.toContainText('loading')
  const cached = cachedCount(await explorer.status.innerText())

  // Which custom APIs were created this week, and are they still there: a pilot API, created
  // and deleted the same day, with its whole timeline.
  await governance.openResources(cached)
  await expect(governance.resourceRows.first()).toBeVisible()
  await governance.kind.selectOption('custom-api')
  await governance.state.selectOption('deleted')
  await governance.findText.fill('Contoso Pilot API')
  // One whose creation is in the cache (one made before the synced week says it has none).
  await governance.resourceRows.filter({ hasNotText: 'none in the cache' }).first().click()
  await expect(governance.detail.getByTestId('resource-state')).toContainText('deleted')
  await expect(governance.detail.getByTestId('resource-state')).toContainText('DeleteApi')
  await expect(governance.detail.getByTestId('resource-created')).toContainText('PutApi')
  await expect(governance.timelineRows.first()).toContainText('created or edited')
  await expect(governance.timelineRows.last()).toContainText('deleted')
  const timelineIds = (
    await governance.timelineRows.evaluateAll((rows) =>
      rows.map((row) => row.getAttribute('data-record-id') ?? '')
    )
  ).sort()
  expect(timelineIds.length).toBeGreaterThanOrEqual(2)
  // The timeline's events in the Explorer: exactly those records.
  await governance.detail.getByRole('button', { name: /^Show these \d+ events/ }).click()
  await expect(app.page.getByTestId('record-focus')).toBeVisible()
  await expect(explorer.status).toContainText(
    `${timelineIds.length} of ${cached.toLocaleString('en-US')} records`
  )
  await expect.poll(() => gridIds(explorer)).toEqual(timelineIds)

  // Who can use connection X, since when, granted by whom: a connection shared with everyone.
  await governance.openResources(cached)
  await governance.kind.selectOption('connection')
  await governance.state.selectOption('')
  await governance.findText.fill('')
  const shared = governance.resourceRows.filter({ hasText: '(organisation)' }).first()
  await shared.click()
  const orgRow = governance.sharingRows.filter({ hasText: 'organisation' }).first()
  await expect(orgRow).toBeVisible()
  await expect(orgRow).toContainText(/UTC/)
  await expect(governance.timelineRows.first()).toBeVisible()
  await expect(orgRow).toContainText('granted by')
  await shot('resources')
  const grantId = (await orgRow.getByRole('button').innerText()).trim()
  // The grant is on the timeline as a permission change, before → after.
  await expect(
    governance.detail.locator(`[data-testid="timeline-row"][data-record-id="${grantId}"]`)
  ).toContainText(/→ Can/)
  await orgRow.getByRole('button').click()
  // (From the start of the status: "21 of 22,421 records" also contains "1 of 22,421 records".)
  const total = cached.toLocaleString('en-US')
  await expect(explorer.status).toHaveText(new RegExp(`^1 of ${total} records`))
  await expect.poll(() => gridIds(explorer)).toEqual([grantId])
  // Clearing the focus shows everything again.
  await app.page.getByRole('button', { name: 'Show all records again' }).click()
  await expect(app.page.getByTestId('record-focus')).toHaveCount(0)
  await expect(explorer.status).toHaveText(new RegExp(`^${total} of ${total} records`))

  // Findings: counts, reasons, and a click-through to exactly one finding's records.
  await governance.openFindings(cached)
  const shortLived = governance.rule('short-lived-custom-api')
  await expect(shortLived).not.toHaveAttribute('data-count', '0')
  await expect(governance.rule('shared-with-organisation')).not.toHaveAttribute('data-count', '0')
  await expect(governance.rule('shared-with-guests')).not.toHaveAttribute('data-count', '0')
  await shortLived.getByRole('button', { name: /^Why:/ }).click()
  const item = shortLived.getByTestId('finding-item').first()
  await expect(item).toContainText(/was created by .* and deleted by .* later, within 24 h/)
  await shot('findings')
  const itemIds = ((await item.getAttribute('data-record-ids')) ?? '').split(' ').sort()
  expect(itemIds).toHaveLength(2)
  await item.getByRole('button', { name: 'Show 2 records' }).click()
  await expect(explorer.status).toContainText(`2 of ${cached.toLocaleString('en-US')} records`)
  await expect.poll(() => gridIds(explorer)).toEqual(itemIds)

  // Thresholds are settings: a bad one is refused naming the field; a good one recounts.
  await governance.openFindings(cached)
  await app.page.getByRole('button', { name: /^Settings/ }).click()
  await app.page.getByRole('textbox', { name: 'Working hours start' }).fill('8am')
  await app.page.getByRole('button', { name: 'Save settings' }).click()
  await expect(app.page.getByTestId('settings-message')).toContainText(
    'workingHours.start: must be HH:MM'
  )
  await app.page.getByRole('textbox', { name: 'Working hours start' }).fill('08:00')
  await app.page.getByRole('textbox', { name: 'Short-lived custom API hours' }).fill('0.01')
  await app.page.getByRole('button', { name: 'Save settings' }).click()
  await expect(app.page.getByTestId('settings-message')).toContainText('Saved')
  await expect(shortLived).toHaveAttribute('data-count', '0')
})

test('a review pack of the current view from the app: sheets, cells, Excel-safety and the snapshot it comes from', async ({
  app
}) => {
  test.skip(
    app.launcher !== 'web',
    'the browser shell writes packs to Downloads; the desktop app asks with a dialog'
  )
  const explorer = new ExplorerPage(app.page)
  const api = customApiId('pilot')
  const conn = connectionId('shared_sql', 1)
  const now = Date.now()
  const at = (hoursAgo: number): string =>
    new Date(now - hoursAgo * 3_600_000).toISOString().slice(0, 19)
  const records = [
    signIn('e2e-s1', at(30), 'bob@contoso.example', 'oid-bob'),
    crafted({ id: 'e2e-a1', at: at(20), operation: 'PutApi', resource: api }),
    crafted({ id: 'e2e-a2', at: at(18), operation: 'DeleteApi', resource: api }),
    crafted({ id: 'e2e-c1', at: at(10), operation: 'PutConnection', resource: conn }),
    crafted({
      id: 'e2e-g1',
      at: at(9),
      operation: 'PutConnectionPermission',
      resource: conn,
      permission: 'CanEdit',
      target: 'Everyone',
      actor: '=cmd|"/c calc"!A1'
    })
  ]
  await explorer.seed(records as unknown as Record<string, unknown>[])
  // The connector lens leaves the sign-in out; the pack takes the view as it is.
  await expect(explorer.status).toContainText('4 of 5 records')
  await app.page.getByRole('button', { name: 'All audit events' }).click()
  await expect(explorer.status).toContainText('5 of 5 records')
  await app.page.getByRole('button', { name: 'Review pack' }).click()
  const notice = app.page.getByTestId('review-pack')
  await expect(notice).toBeVisible({ timeout: 120_000 })
  const xlsxPath = (await notice.getAttribute('data-xlsx')) ?? ''
  const htmlPath = (await notice.getAttribute('data-html')) ?? ''
  const snapshotPath = (await notice.getAttribute('data-snapshot')) ?? ''
  const fingerprint = (await notice.getAttribute('data-fingerprint')) ?? ''
  try {
    expect(xlsxPath).toMatch(/connector-review-pack-.*\.xlsx$/)
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(xlsxPath)
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      'Cover',
      'Summary',
      'Resources',
      'Sharing',
      'Findings',
      'Records'
    ])
    const values = (name: string): string[][] => {
      const out: string[][] = []
      workbook.getWorksheet(name)!.eachRow((row) => {
        out.push(
          (row.values as unknown[])
            .slice(1)
            .map((v) => (v instanceof Date ? v.toISOString() : String(v ?? '')))
        )
      })
      return out
    }
    const cover = new Map(values('Cover').map(([k, v]) => [k, v]))
    expect(cover.get('Snapshot fingerprint')).toBe(fingerprint)
    expect(cover.get('Records')).toBe('5')
    expect(values('Records')).toHaveLength(6)
    const findings = values('Findings')
    const header = findings[0]!
    const short = findings.find(
      (r) =>
        r[0] === 'short-lived-custom-api' && r[header.indexOf('Record Ids')] === 'e2e-a1, e2e-a2'
    )
    expect(short).toBeDefined()
    const org = findings.find((r) => r[0] === 'shared-with-organisation')
    expect(org?.[header.indexOf('Record Ids')]).toBe('e2e-g1')
    // Excel-safe: the formula-like actor is stored as neutralised text, never as a formula.
    const sheet = workbook.getWorksheet('Sharing')!
    let formulas = 0
    workbook.eachSheet((ws) =>
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Formula) {
            formulas += 1
          }
        })
      )
    )
    expect(formulas).toBe(0)
    const grantedBy = values('Sharing').find((r) => r.includes('Everyone'))
    expect(grantedBy).toContain(`'=cmd|"/c calc"!A1`)
    expect(sheet.rowCount).toBeGreaterThan(1)
    const html = await readFile(htmlPath, 'utf8')
    expect(html).toContain(fingerprint)
    expect(html).not.toContain('<script')
    expect(html).toContain('=cmd|&quot;/c calc&quot;!A1')
  } finally {
    await Promise.all(
      [xlsxPath, htmlPath, snapshotPath].filter(Boolean).map((p) => rm(p, { force: true }))
    )
  }
})
