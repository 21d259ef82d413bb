import { writeFile } from 'node:fs/promises'

import type { Page } from '@playwright/test'

import { expect, test } from '../fixtures/app'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

/** Records in the file: more than two chunks of 4,096. */
const COUNT = 10_000
const USERS = 10
/** The Explorer's count line once every record is in. */
const ALL = `${COUNT.toLocaleString('en-US')} of ${COUNT.toLocaleString('en-US')} records`

/** An NDJSON audit export of `COUNT` connector records (Management Activity API shape). */
async function auditExport(path: string, idPrefix: string): Promise<string> {
  const start = Date.UTC(2026, 4, 1)
  const lines = Array.from({ length: COUNT }, (_, i) =>
    JSON.stringify({
      CreationTime: new Date(start + i * 60_000).toISOString().slice(0, 19),
      Id: `${idPrefix}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`,
      Operation: 'PutConnection',
      OrganizationId: '33333333-3333-3333-3333-333333333333',
      RecordType: 187,
      UserKey: `user-key-${i % USERS}`,
      UserType: 0,
      Version: 1,
      Workload: 'PowerApps',
      ClientIP: '10.1.2.3',
      ObjectId: `object-${i}`,
      UserId: `maker${i % USERS}@contoso.example`,
      AdditionalInfo: JSON.stringify({
        EnvironmentName: 'Default-33333333-3333-3333-3333-333333333333',
        ActionName: 'PutConnection',
        ResourceId: `/providers/Microsoft.PowerApps/apis/shared_sql/connections/c-${i}`
      })
    })
  )
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}

/** Picks `file` in the Sync view's import and waits until every record of it is new in the cache. */
async function importFile(page: Page, file: string): Promise<void> {
  await page.getByLabel('Audit file', { exact: true }).setInputFiles(file)
  await expect(page.getByTestId('audit-import-result')).toContainText(
    `${COUNT.toLocaleString('en-US')} new`,
    { timeout: 0 }
  )
}

test.skip(
  ({ app }) => app.launcher !== 'web',
  'uploads are the browser shell; the desktop app uses its native dialog'
)

test('an import done from the Sync view is in the Explorer at once, handed over, not read back', async ({
  app
}, testInfo) => {
  test.setTimeout(600_000)
  const page = app.page
  const explorer = new ExplorerPage(page)
  const sync = new SyncPage(page)
  const file = await auditExport(testInfo.outputPath('handover.ndjson'), '11111111')
  // The Explorer shows first (its worker opens the empty cache), then the import runs elsewhere.
  await explorer.emptyState.waitFor()
  await sync.open()
  await importFile(page, file)

  await page.getByRole('link', { name: 'Explorer' }).click()
  await expect(explorer.status).toContainText(ALL)
  // Every chunk came from memory: the worker read none of them back from IndexedDB.
  await expect(explorer.status).toHaveAttribute('data-chunks-read', '0')
  const handed = Number(await explorer.status.getAttribute('data-chunks-handed-over'))
  expect(handed).toBeGreaterThanOrEqual(3)

  // Searchable, all of it.
  await explorer.quickSearch.fill('maker7@contoso.example')
  await expect(explorer.status).toContainText(`1,000 of ${COUNT.toLocaleString('en-US')} records`)
  await explorer.quickSearch.fill('11111111-aaaa-4bbb-8ccc-000000009999')
  await expect(explorer.status).toContainText(`1 of ${COUNT.toLocaleString('en-US')} records`)
  await expect(explorer.rows).toHaveCount(1)
})

test('a window opened on Sync starts the worker with the first commit, and the Explorer is ready', async ({
  app
}, testInfo) => {
  test.setTimeout(600_000)
  const page = app.page
  const explorer = new ExplorerPage(page)
  const file = await auditExport(testInfo.outputPath('handover.ndjson'), '22222222')
  // Opened on Sync: no Explorer, so no query worker, until records are committed.
  await page.evaluate(() => {
    window.location.hash = '#sync'
    window.location.reload()
  })
  await page.locator('[data-app-state="ready"]').waitFor()
  await page.getByRole('heading', { name: 'Import audit file' }).waitFor()
  await importFile(page, file)

  await page.getByRole('link', { name: 'Explorer' }).click()
  await expect(explorer.status).toContainText(ALL)
  // Started by the first commit: what was stored before it opened the cache is read, the rest
  // handed over; no chunk twice.
  const read = Number(await explorer.status.getAttribute('data-chunks-read'))
  const handed = Number(await explorer.status.getAttribute('data-chunks-handed-over'))
  expect(handed).toBeGreaterThanOrEqual(1)
  expect(read + handed).toBeGreaterThanOrEqual(3)
  await explorer.quickSearch.fill('maker3@contoso.example')
  await expect(explorer.status).toContainText(`1,000 of ${COUNT.toLocaleString('en-US')} records`)
})
