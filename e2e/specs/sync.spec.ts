import { join } from 'node:path'

import { expect, test } from '../fixtures/app'
import { ROOT } from '../fixtures/launchers'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

/** `Last sync: complete · 19,502 new` → 19502 */
function newCount(statusBar: string): number {
  return Number(/([\d,]+) new/.exec(statusBar)?.[1]?.replace(/,/g, '') ?? 'NaN')
}

/** `8,120 of 19,502 records · …` → 19502 (the cached records the Explorer has indexed) */
function cachedCount(status: string): number {
  return Number(/of ([\d,]+) records/.exec(status)?.[1]?.replace(/,/g, '') ?? 'NaN')
}

// `npm run screenshots` refreshes the README's pictures from this flow; otherwise they go to
// test-results so a normal run never dirties the work tree.
const docsDir = process.env['CAX_SCREENSHOTS'] === '1' ? join(ROOT, 'docs', 'screenshots') : null

test('a newcomer explores the demo tenant: sign-in, a 7-day sync, rows in the grid, coverage, offline', async ({
  app
}, testInfo) => {
  // A long flow on a possibly loaded machine: every step waits on the app's state; this limit
  // is only the backstop for a hang.
  test.setTimeout(20 * 60_000)
  const shot = (name: string): Promise<Buffer> =>
    app.page.screenshot({ path: join(docsDir ?? testInfo.outputDir, `${name}.png`) })
  await app.page.setViewportSize({ width: 1440, height: 860 })
  const explorer = new ExplorerPage(app.page)
  const sync = new SyncPage(app.page)
  await explorer.emptyState.waitFor()
  await app.page.getByRole('button', { name: 'Explore the demo tenant' }).click()

  // The sync runs while the Explorer fills up; every new record lands in the cache exactly once.
  expect(await sync.ended(1)).toMatch(/^(complete|partial)$/)
  const firstNew = newCount(await sync.statusBar.innerText())
  expect(firstNew).toBeGreaterThan(1000)
  await expect
    .poll(async () => cachedCount(await explorer.status.innerText()), { timeout: 120_000 })
    .toBe(firstNew)
  // It opens on connector activity: a part of what was pulled.
  await expect(app.page.getByRole('button', { name: 'Connector activity' })).toHaveAttribute(
    'aria-pressed',
    'true'
  )
  await expect(explorer.rows.first()).toBeVisible()
  const status = await explorer.status.innerText()
  await shot('explorer')

  await sync.open()
  await expect(sync.summary).toContainText('0 gaps')
  // Seven days of hours: 169 cells, or 168 when the range's start (7 days back, moved forward by
  // the margin the Management API's 7-day edge needs, reachableSince) falls into the next hour,
  // as it does when the sync starts in the last quarter of an hour.
  await expect.poll(() => sync.coverageCells.count()).toBeGreaterThanOrEqual(7 * 24)
  expect(await sync.coverageCells.count()).toBeLessThanOrEqual(7 * 24 + 1)
  expect(await sync.cells('complete').count()).toBeGreaterThan(100)
  expect(await sync.cells('gap').count()).toBe(0)
  // Hours settle one by one: only the hours too recent to be settled are pending, and each
  // says when it settles.
  await expect.poll(() => sync.cells('pending').count()).toBeLessThanOrEqual(2)
  await expect(sync.notCompleteReasons.first()).toContainText(/settles it/)
  await shot('sync')

  // A second sync re-lists recent windows: the demo tenant is live, so it may find new activity,
  // but nothing already cached is stored twice.
  await sync.range.selectOption('24h')
  await sync.startButton.click()
  expect(await sync.ended(2)).toMatch(/^(complete|partial)$/)
  const secondNew = newCount(await sync.statusBar.innerText())
  await app.page.getByRole('link', { name: 'Explorer' }).click()
  await expect
    .poll(async () => cachedCount(await explorer.status.innerText()), { timeout: 120_000 })
    .toBe(firstNew + secondNew)

  await app.page.getByRole('link', { name: 'Connections' }).click()
  // The demo also adds a workspace connection: test the tenant's.
  const tenantCard = app.page.getByRole('article', { name: 'Demo tenant (Contoso)' })
  await tenantCard.getByRole('button', { name: 'Test connection' }).click()
  await expect(
    tenantCard.getByRole('list', { name: 'Connection test' }).getByRole('listitem')
  ).toHaveCount(4)
  await shot('connections')

  // Exploring needs no network: cut it and keep filtering.
  await app.page.getByRole('link', { name: 'Explorer' }).click()
  await expect(explorer.status).toBeVisible()
  await app.page.context().setOffline(true)
  await explorer.quickSearch.fill('PutConnection')
  await expect(explorer.rows.first()).toBeVisible()
  await expect(explorer.status).not.toHaveText(new RegExp(`^${status}$`))
  await app.page.context().setOffline(false)
})
