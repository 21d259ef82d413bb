import { join } from 'node:path'

import { expect, test } from '../fixtures/app'
import { ROOT } from '../fixtures/launchers'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

// `npm run screenshots` refreshes the README's pictures from this flow; otherwise they go to
// test-results so a normal run never dirties the work tree.
const docsDir = process.env['CAX_SCREENSHOTS'] === '1' ? join(ROOT, 'docs', 'screenshots') : null

test('a newcomer explores the demo tenant: sign-in, a 7-day sync, rows in the grid, coverage, offline', async ({
  app
}, testInfo) => {
  test.setTimeout(150_000)
  const shot = (name: string): Promise<Buffer> =>
    app.page.screenshot({ path: join(docsDir ?? testInfo.outputDir, `${name}.png`) })
  await app.page.setViewportSize({ width: 1440, height: 860 })
  const explorer = new ExplorerPage(app.page)
  const sync = new SyncPage(app.page)
  await explorer.emptyState.waitFor()
  await app.page.getByRole('button', { name: 'Explore the demo tenant' }).click()

  // The sync runs while the Explorer fills up.
  await expect(sync.statusBar).toHaveText(/Last sync: (complete|partial)/, { timeout: 90_000 })
  await expect(explorer.rows.first()).toBeVisible()
  const status = await explorer.status.innerText()
  const cached = Number(/([\d,]+)/.exec(status)?.[1]?.replace(/,/g, '') ?? '0')
  expect(cached).toBeGreaterThan(1000)
  await shot('explorer')

  await sync.open()
  await expect(sync.summary).toContainText('0 gaps')
  await expect(sync.coverageCells).toHaveCount(7 * 24 + 1)
  expect(await sync.cells('complete').count()).toBeGreaterThan(100)
  expect(await sync.cells('gap').count()).toBe(0)
  await shot('sync')

  // A second sync re-lists recent windows but stores nothing twice.
  await sync.range.selectOption('24h')
  await sync.startButton.click()
  await expect(sync.statusBar).toHaveText(/Last sync: (complete|partial) · 0 new/, {
    timeout: 60_000
  })

  await app.page.getByRole('link', { name: 'Connections' }).click()
  await app.page.getByRole('button', { name: 'Test connection' }).click()
  await expect(
    app.page.getByRole('list', { name: 'Connection test' }).getByRole('listitem')
  ).toHaveCount(4)
  await shot('connections')

  // Exploring needs no network: cut it and keep filtering.
  await app.page.getByRole('link', { name: 'Explorer' }).click()
  await app.page.context().setOffline(true)
  await explorer.quickSearch.fill('PutConnection')
  await expect(explorer.rows.first()).toBeVisible()
  await expect(explorer.status).not.toHaveText(new RegExp(`^${status}$`))
  await app.page.context().setOffline(false)
})
