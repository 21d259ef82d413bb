import { rm } from 'node:fs/promises'

import { expect, test } from '../fixtures/app'
import { cachedRecord, seedId, wholeSecond } from '../fixtures/cached-records'
import { ExplorerPage } from '../pages/explorer-page'
import { SnapshotsPage } from '../pages/snapshots-page'

const COUNT = 60_000
const BATCH = 4096

/** `COUNT` small cached records in the cache's shape (NormalizedRecord). */
function records(): Record<string, unknown>[] {
  const now = Date.now()
  return Array.from({ length: COUNT }, (_, i) => {
    const createdAtMs = wholeSecond(now - i * 60_000)
    const id = seedId('9a7c1d2e', i)
    const userId = `user${i % 7}@contoso.example`
    const fields = { Id: id, Operation: 'PutConnection', UserId: userId }
    return cachedRecord(i, {
      id,
      createdAtMs,
      userId,
      fields,
      raw: JSON.stringify({ ...fields, CreationTime: new Date(createdAtMs).toISOString() })
    })
  })
}

test.skip(
  ({ app }) => app.launcher !== 'web',
  'typing a path is the browser shell; the desktop app uses native dialogs'
)

test('a reload in the middle of an import leaves whole batches, and the next import completes it', async ({
  app
}) => {
  // 60,000 records seeded, exported, imported twice: minutes on a loaded machine. Each step
  // waits for its state with no shorter limit of its own than this one.
  test.setTimeout(1_200_000)
  const explorer = new ExplorerPage(app.page)
  const snapshots = new SnapshotsPage(app.page)
  await explorer.seed(records())
  await expect(explorer.status).toContainText(`${COUNT.toLocaleString('en-US')} of`, {
    timeout: 0
  })
  await snapshots.open()
  const exported = await snapshots.exportCache()
  try {
    await snapshots.clearCacheAndReload()
    await snapshots.open()
    await snapshots.importByPicker(exported.path)
    // Reload as soon as the first batch is stored, while the rest is on its way.
    await expect(snapshots.importCounts).toContainText(/Importing… [1-9]/, { timeout: 0 })
    await app.page.reload()
    await app.page.locator('[data-app-state="ready"]').waitFor()

    await app.page.getByRole('link', { name: 'Explorer' }).click()
    await expect(explorer.status).toContainText(/^[\d,]+ of [\d,]+ records/, { timeout: 0 })
    const stored = Number(
      /of ([\d,]+) records/.exec((await explorer.status.textContent()) ?? '')![1]!.replace(/,/g, '')
    )
    // Whole batches only, and not everything.
    expect(stored % BATCH).toBe(0)
    expect(stored).toBeGreaterThan(0)
    expect(stored).toBeLessThan(COUNT)

    await snapshots.open()
    await snapshots.importByPicker(exported.path)
    await expect(snapshots.importResult).toHaveAttribute('data-status', 'done', {
      timeout: 0
    })
    await expect(snapshots.importCounts).toContainText(
      `${COUNT.toLocaleString('en-US')} records (${(COUNT - stored).toLocaleString('en-US')} new, ${stored.toLocaleString('en-US')} duplicates)`
    )
    await app.page.getByRole('link', { name: 'Explorer' }).click()
    await expect(explorer.status).toContainText(
      `${COUNT.toLocaleString('en-US')} of ${COUNT.toLocaleString('en-US')} records`,
      { timeout: 0 }
    )
  } finally {
    await rm(exported.path, { force: true })
  }
})
