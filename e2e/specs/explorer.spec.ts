import { readFile } from 'node:fs/promises'

import ExcelJS from 'exceljs'

import { expect, test } from '../fixtures/app'
import { cachedRecord, SEED_TENANT, seedId, wholeSecond } from '../fixtures/cached-records'
import { ExplorerPage } from '../pages/explorer-page'

const HOUR = 3_600_000
const USERS = ['alex@contoso.example', 'bea@contoso.example', 'cyd@contoso.example']
const OPERATIONS = ['PutConnection', 'PutConnectionPermission', 'PatchApi']
const ACTIVITIES = [
  'Connection created or edited',
  'Connection permission added or edited',
  'API edited'
]

/**
 * 24 cached connector records in the cache's shape (NormalizedRecord, as the normalizer writes
 * it), one every 3 hours back from now; record 4's item is a spreadsheet formula.
 */
function records(): Record<string, unknown>[] {
  const now = Date.now()
  return Array.from({ length: 24 }, (_, i) => {
    const createdAtMs = wholeSecond(now - i * 3 * HOUR - 60_000)
    const id = seedId('6b1e9c0a', i)
    const environment = i % 2 === 0 ? 'default-11111111' : 'env-sales'
    const resource = i === 4 ? '=HYPERLINK("https://evil.example","x")' : `shared-sql-${i}`
    const fields: Record<string, string> = {
      Id: id,
      RecordType: '261',
      CreationTime: new Date(createdAtMs).toISOString().slice(0, 19),
      Operation: OPERATIONS[i % 3]!,
      OrganizationId: SEED_TENANT,
      UserType: i % 3 === 0 ? '2' : '0',
      Workload: 'PowerPlatform',
      ClientIP: `203.0.113.${i}`,
      UserId: USERS[i % 3]!,
      ObjectId: `object-${i}`,
      'AdditionalInfo.EnvironmentName': environment,
      'AdditionalInfo.ActionName': OPERATIONS[i % 3]!,
      'AdditionalInfo.ResourceId': resource
    }
    return cachedRecord(i, {
      id,
      createdAtMs,
      operation: OPERATIONS[i % 3]!,
      userId: USERS[i % 3]!,
      userKey: `key-${i % 3}`,
      userType: i % 3 === 0 ? 2 : 0,
      userTypeLabel: i % 3 === 0 ? 'Admin' : 'Regular user',
      clientIp: `203.0.113.${i}`,
      activity: ACTIVITIES[i % 3]!,
      category: i % 3 === 2 ? 'API' : 'Connection',
      environment,
      resource,
      fields
    })
  })
}

test.beforeEach(async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.seed(records())
  await expect(explorer.status).toContainText('24 of 24 records')
})

test('filters by range, facet, column and quick search, and shows a record', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await expect(explorer.rows.first()).toBeVisible()
  expect(await explorer.headers()).toEqual(['Date (UTC)', 'IP address', 'User', 'Activity', 'Item'])
  // A header's description shows when the pointer rests on its name.
  await expect(explorer.headerLabel('activity')).toHaveAttribute(
    'title',
    'The friendly name of the event.'
  )

  await explorer.dateRange.selectOption('24h')
  await expect(explorer.status).toContainText('8 of 24 records')
  await explorer.dateRange.selectOption('all')

  await explorer.facet('User', 'bea@contoso.example').check()
  await expect(explorer.status).toContainText('8 of 24 records')
  await expect(explorer.facet('User', 'alex@contoso.example')).toBeVisible()
  await explorer.facet('Environment', 'env-sales').check()
  await expect(explorer.status).toContainText('4 of 24 records')
  await explorer.facet('User', 'bea@contoso.example').uncheck()
  await explorer.facet('Environment', 'env-sales').uncheck()

  await explorer.filterColumn('clientIp', '203.0.113.2')
  await expect(explorer.status).toContainText('5 of 24 records')
  await explorer.filterColumn('clientIp', '')
  await expect(explorer.status).toContainText('24 of 24 records')

  await explorer.quickSearch.fill('203.0.113.17')
  await expect(explorer.status).toContainText('1 of 24 records')
  await expect(explorer.rows).toHaveCount(1)
  await explorer.quickSearch.fill('')
  await expect(explorer.status).toContainText('24 of 24 records')

  await explorer.rows.first().locator('[col-id="userId"]').click()
  await expect(explorer.details).toContainText('Record details')
  await expect(explorer.details).toContainText("The client's IP address")
  await expect(explorer.rawRecord).toContainText('"ClientIP": "203.0.113.0"')
  await app.page.keyboard.press('j')
  await expect(explorer.rawRecord).toContainText('"ClientIP": "203.0.113.1"')
  await app.page.keyboard.press('k')
  await expect(explorer.rawRecord).toContainText('"ClientIP": "203.0.113.0"')

  await app.page.getByRole('button', { name: 'Local' }).click()
  await expect(explorer.grid.locator('.ag-header-cell-text').first()).toHaveText(
    /^Date \(local, UTC[+-]\d\d:\d\d\)$/
  )
  await expect(explorer.headerLabel('createdAt')).toHaveAttribute(
    'title',
    'When the event happened.'
  )
})

test('saves a filter, and re-applies it after a reload', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.facet('User', 'cyd@contoso.example').check()
  await explorer.quickSearch.fill('env-sales')
  await expect(explorer.status).toContainText('4 of 24 records')
  await explorer.saveFilterAs('Cyd in sales')
  await expect(
    app.page.getByRole('status').filter({ hasText: 'Saved "Cyd in sales".' })
  ).toBeVisible()

  await app.reload()
  await expect(explorer.status).toContainText('24 of 24 records')
  await explorer.savedFilter.selectOption({ label: 'Cyd in sales' })
  await expect(explorer.status).toContainText('4 of 24 records')
  await expect(explorer.quickSearch).toHaveValue('env-sales')

  await explorer.savedFilter.selectOption({ label: 'Connections shared' })
  await expect(explorer.status).toContainText('8 of 24 records')
})

test('annotates a record, bulk-tags the view and filters by tag', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.rows.first().locator('[col-id="userId"]').click()
  const form = explorer.details.getByRole('form', { name: 'Annotation' })
  await form.getByLabel('Tags').fill('follow-up')
  await form.getByLabel('Comment').fill('Shared with an external account?')
  await form.getByRole('button', { name: 'Save annotation' }).click()
  await expect(form.getByRole('status')).toContainText('Saved')

  await explorer.facet('User', 'alex@contoso.example').check()
  await expect(explorer.status).toContainText('8 of 24 records')
  await explorer.tagAllShown('admin-review')
  await expect(explorer.notice).toContainText('Tagged 8 records "admin-review"')
  await explorer.facet('User', 'alex@contoso.example').uncheck()

  await explorer.facet('Tags', 'admin-review').check()
  await expect(explorer.status).toContainText('8 of 24 records')
  await explorer.facet('Tags', 'admin-review').uncheck()
  await explorer.facet('Tags', 'follow-up').check()
  await expect(explorer.status).toContainText('1 of 24 records')
})

test('exports exactly the current view as CSV', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.facet('User', 'bea@contoso.example').check()
  await expect(explorer.status).toContainText('8 of 24 records')
  const download = await explorer.exportCsv()
  expect(download.suggestedFilename()).toMatch(/^connector-audit-.*\.csv$/)
  const text = await readFile(await download.path(), 'utf8')
  expect(text.startsWith('\uFEFF')).toBe(true)
  const lines = text.slice(1).trimEnd().split('\r\n')
  expect(lines[0]).toBe('Date (UTC),IP address,User,Activity,Item')
  expect(lines).toHaveLength(9)
  expect(lines.slice(1).every((line) => line.includes('bea@contoso.example'))).toBe(true)
  // Record 4 (bea) has a formula as its item: written as text, never as a formula.
  expect(text).toContain(`"'=HYPERLINK(""https://evil.example"",""x"")"`)
  await expect(explorer.notice).toContainText('Exported 8 rows (CSV)')
})

test('exports the current view as XLSX with the same safety rules', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.facet('User', 'bea@contoso.example').check()
  await expect(explorer.status).toContainText('8 of 24 records')
  const download = await explorer.exportXlsx()
  expect(download.suggestedFilename()).toMatch(/^connector-audit-.*\.xlsx$/)
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(await download.path())
  const sheet = workbook.getWorksheet('Audit')!
  expect(sheet.getRow(1).values).toEqual([
    undefined,
    'Date (UTC)',
    'IP address',
    'User',
    'Activity',
    'Item'
  ])
  expect(sheet.rowCount).toBe(9)
  const items = sheet.getColumn(5).values.slice(2).map(String)
  // The formula in record 4's item is written as text, never as a formula.
  expect(items).toContain(`'=HYPERLINK("https://evil.example","x")`)
  sheet.eachRow((row) => row.eachCell((cell) => expect(cell.formula).toBeUndefined()))
  await expect(explorer.notice).toContainText('Exported 8 rows (XLSX)')
})
