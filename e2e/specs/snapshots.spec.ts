import { readFile, rm, writeFile } from 'node:fs/promises'

import { expect, test } from '../fixtures/app'
import { cachedRecord, seedId, wholeSecond } from '../fixtures/cached-records'
import { ExplorerPage } from '../pages/explorer-page'
import { SnapshotsPage } from '../pages/snapshots-page'

const HOUR = 3_600_000

/** Six cached records whose raw text is a real audit record (an import normalizes it again). */
function records(): Record<string, unknown>[] {
  const now = Date.now()
  return Array.from({ length: 6 }, (_, i) => {
    const createdAtMs = wholeSecond(now - i * HOUR - 60_000)
    const id = seedId('7c2e9c0a', i)
    const raw = {
      CreationTime: new Date(createdAtMs).toISOString().slice(0, 19),
      Id: id,
      Operation: 'PutConnection',
      RecordType: 187,
      UserType: 0,
      Workload: 'PowerApps',
      UserId: `user${i}@contoso.example`,
      ClientIP: `203.0.113.${i}`
    }
    return cachedRecord(i, {
      id,
      createdAtMs,
      recordType: 187,
      recordTypeName: 'PowerAppsPlan',
      workload: 'PowerApps',
      userId: raw.UserId,
      userKey: `key-${i}`,
      clientIp: raw.ClientIP,
      objectId: '',
      organizationId: '',
      resultStatus: '',
      succeeded: null,
      activity: 'Create connection',
      environment: '',
      resource: '',
      connector: '',
      fields: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)])),
      raw: JSON.stringify(raw)
    })
  })
}

test.skip(
  ({ app }) => app.launcher !== 'web',
  'uploads are the browser shell; the desktop app uses its native dialog and the preload for drops'
)

test('exports the cache, clears it and imports the snapshot back by file picker and by drop', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  const snapshots = new SnapshotsPage(app.page)
  const seeded = records()
  await explorer.seed(seeded)
  await expect(explorer.status).toContainText('6 of 6 records')
  await snapshots.seedAnnotation(String(seeded[0]!['id']), ['reviewed'])

  await snapshots.open()
  const exported = await snapshots.exportCache()
  try {
    expect(exported.path).toMatch(/\.caxsnap$/)
    expect(exported.fingerprint).toMatch(/^[0-9a-f]{64}$/)

    await snapshots.clearCacheAndReload()
    await app.page.getByRole('link', { name: 'Explorer' }).click()
    await explorer.emptyState.waitFor()

    await snapshots.open()
    // No path to type any more: the file is picked, uploaded, verified, then imported.
    await expect(app.page.getByRole('textbox', { name: 'Snapshot path' })).toHaveCount(0)
    // Hold the upload until its progress has been seen, then let it through.
    let release = (): void => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    await app.page.route('**/api/upload/snapshot', async (route) => {
      await held
      await route.continue()
    })
    await snapshots.importByPicker(exported.path)
    await expect(snapshots.uploadProgress).toContainText(/Uploading cax-cache-.*\.caxsnap · .* of/)
    release()
    await expect(snapshots.verification).toHaveAttribute('data-ok', 'true')
    await expect(snapshots.verification).toContainText(exported.fingerprint)
    await expect(snapshots.verification).toContainText('Records6')
    await expect(snapshots.importResult).toHaveAttribute('data-status', 'done')
    await expect(snapshots.importCounts).toContainText('6 records (6 new, 0 duplicates)')
    await expect(snapshots.importCounts).toContainText('1 annotations')

    await app.page.getByRole('link', { name: 'Explorer' }).click()
    await expect(explorer.status).toContainText('6 of 6 records')

    // Cleared again and dropped on the panel this time.
    await snapshots.clearCacheAndReload()
    await snapshots.open()
    await snapshots.importByDrop(exported.path)
    await expect(snapshots.verification).toHaveAttribute('data-ok', 'true')
    await expect(snapshots.importResult).toHaveAttribute('data-status', 'done')
    await expect(snapshots.importCounts).toContainText('6 records (6 new, 0 duplicates)')

    // Importing again stores nothing twice.
    await snapshots.importByPicker(exported.path)
    await expect(snapshots.importResult).toHaveAttribute('data-status', 'done')
    await expect(snapshots.importCounts).toContainText('6 records (0 new, 6 duplicates)')

    await app.page.getByRole('link', { name: 'Explorer' }).click()
    await expect(explorer.status).toContainText('6 of 6 records')
    await expect(explorer.rows).toHaveCount(6)
  } finally {
    await rm(exported.path, { force: true })
  }
})

test('refuses a tampered snapshot uploaded, says which part failed and imports nothing', async ({
  app
}, testInfo) => {
  const explorer = new ExplorerPage(app.page)
  const snapshots = new SnapshotsPage(app.page)
  await explorer.seed(records())
  await expect(explorer.status).toContainText('6 of 6 records')
  await snapshots.open()
  const exported = await snapshots.exportCache()
  const tampered = testInfo.outputPath('tampered.caxsnap')
  try {
    const bytes = await readFile(exported.path)
    // Inside the first part's data (records.ndjson: 30-byte local header + its 14-byte name).
    bytes[60] = bytes[60]! ^ 0x01
    await writeFile(tampered, bytes)

    await snapshots.clearCacheAndReload()
    await snapshots.open()
    await snapshots.importByPicker(tampered)
    await expect(snapshots.verification).toHaveAttribute('data-ok', 'false')
    await expect(snapshots.importResult).toHaveAttribute('data-status', 'refused')
    await expect(snapshots.importResult).toContainText('Nothing was imported')
    await expect(snapshots.failures.first()).toContainText('records.ndjson')

    await app.page.getByRole('link', { name: 'Explorer' }).click()
    await explorer.emptyState.waitFor()
    await expect(explorer.rows).toHaveCount(0)
  } finally {
    await rm(exported.path, { force: true })
    await rm(tampered, { force: true })
  }
})

test('refuses a dropped file that is not a snapshot without uploading it', async ({
  app
}, testInfo) => {
  const snapshots = new SnapshotsPage(app.page)
  await snapshots.open()
  const notes = testInfo.outputPath('notes.txt')
  await writeFile(notes, 'not a snapshot')
  await snapshots.importByDrop(notes)
  await expect(snapshots.importResult).toHaveAttribute('data-status', 'failed')
  await expect(snapshots.importResult.getByRole('alert')).toContainText('not a snapshot')
})
