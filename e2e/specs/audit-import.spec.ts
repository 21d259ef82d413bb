import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { expect, test } from '../fixtures/app'
import { dropFile } from '../pages/drop-file'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

/** A real-shaped Purview portal export: 4 records, a repeated Id, 2 bad rows (lines 72, 73). */
const PURVIEW_CSV = fileURLToPath(
  new URL('../../src/main/services/import/fixtures/purview-current.csv', import.meta.url)
)

test.skip(
  ({ app }) => app.launcher !== 'web',
  'uploads are the browser shell; the desktop app uses its native dialog and the preload for drops'
)

test('imports a picked Purview CSV into the grid and lists the rejected rows with file and line', async ({
  app
}) => {
  const page = app.page
  const explorer = new ExplorerPage(page)
  await page.getByRole('link', { name: 'Sync', exact: true }).click()
  await page.getByRole('heading', { name: 'Import audit file' }).waitFor()

  await page.getByLabel('Audit file', { exact: true }).setInputFiles(PURVIEW_CSV)

  const result = page.getByTestId('audit-import-result')
  await expect(result).toContainText('Imported purview-current.csv')
  await expect(result).toContainText(
    '7 rows read (purview-csv): 4 new, 0 already cached, 1 duplicates in the file, 2 rejected'
  )
  const rejected = page.getByTestId('audit-import-rejections').getByRole('row')
  await expect(rejected).toHaveCount(3)
  await expect(rejected.nth(1)).toContainText('purview-current.csv72AuditData is not a JSON record')
  await expect(rejected.nth(2)).toContainText('purview-current.csv73bad date: CreationTime')

  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Save rejected rows (CSV)' }).click()
  const saved = await download
  expect(saved.suggestedFilename()).toBe('purview-current.csv.rejected.csv')

  await page.getByRole('link', { name: 'Explorer' }).click()
  // Two of the four are not connector activity (a Power Apps launch, an admin action).
  await expect(explorer.status).toContainText('2 of 4 records')
  await page.getByRole('button', { name: 'All audit events' }).click()
  await expect(explorer.status).toContainText('4 of 4 records')
  await expect(explorer.rows).toHaveCount(4)

  // Dropped again: nothing is stored twice, and the rejected rows are listed again.
  await page.getByRole('link', { name: 'Sync', exact: true }).click()
  await dropFile(page, page.getByTestId('audit-import-drop-zone'), PURVIEW_CSV)
  await expect(result).toContainText('0 new, 4 already cached')
  await expect(rejected).toHaveCount(3)
  await page.getByRole('link', { name: 'Explorer' }).click()
  await expect(explorer.status).toContainText(/^\d of 4 records · 4 duplicates collapsed/)
})

test('stores each raw record byte for byte, its text handed from the shell to IndexedDB as a Blob', async ({
  app
}) => {
  const page = app.page
  const explorer = new ExplorerPage(page)
  await page.getByRole('link', { name: 'Sync', exact: true }).click()
  await page.getByLabel('Audit file', { exact: true }).setInputFiles(PURVIEW_CSV)
  await expect(page.getByTestId('audit-import-result')).toContainText('4 new')

  // What the cache holds: every body keeps its raw texts as a Blob (they never passed through
  // the page), and each text, read back by its byte offsets, is an AuditData cell of the file.
  const stored = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('connector-audit-explorer')
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    const bodies = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const request = db.transaction('bodies').objectStore('bodies').getAll()
      request.onsuccess = () => resolve(request.result as Array<Record<string, unknown>>)
      request.onerror = () => reject(request.error)
    })
    db.close()
    const out: { isBlob: boolean; hasBytes: boolean; texts: string[] }[] = []
    for (const body of bodies) {
      const blob = body['rawBlob']
      const starts = body['rawByteStarts'] as Uint32Array
      // (With ends when rows were dropped from the Blob: a repeated record's text stays in it.)
      const ends = body['rawByteEnds'] as Uint32Array | undefined
      const count = ends ? ends.length : starts.length - 1
      const bytes = blob instanceof Blob ? new Uint8Array(await blob.arrayBuffer()) : null
      const texts: string[] = []
      for (let i = 0; bytes && i < count; i++) {
        const end = ends ? ends[i] : starts[i + 1]
        texts.push(new TextDecoder().decode(bytes.subarray(starts[i], end)))
      }
      out.push({ isBlob: blob instanceof Blob, hasBytes: body['rawBytes'] !== undefined, texts })
    }
    return out
  })
  expect(stored.length).toBeGreaterThan(0)
  expect(stored.every((body) => body.isBlob && !body.hasBytes)).toBe(true)
  const texts = stored.flatMap((body) => body.texts)
  expect(texts).toHaveLength(4)
  const csv = readFileSync(PURVIEW_CSV, 'utf8')
  for (const text of texts) {
    // A CSV cell doubles the quotes of its text.
    expect(csv).toContain(`"${text.replaceAll('"', '""')}"`)
  }

  // The Explorer reads them back: a record's details show its raw JSON.
  await page.getByRole('link', { name: 'Explorer' }).click()
  await page.getByRole('button', { name: 'All audit events' }).click()
  await expect(explorer.rows).toHaveCount(4)
  await explorer.rows.first().click()
  await expect(explorer.rawRecord).toContainText('"Id": "')
})

test('writes each import to the acquisition log and shows its hours as imported from a file, never complete', async ({
  app
}) => {
  const page = app.page
  const sync = new SyncPage(page)
  await sync.open()
  await expect(page.getByRole('heading', { name: 'Acquisition log' })).toBeVisible()
  await expect(page.getByText('Nothing imported yet')).toBeVisible()

  await page.getByLabel('Audit file', { exact: true }).setInputFiles(PURVIEW_CSV)
  await expect(page.getByTestId('audit-import-result')).toContainText(
    'Imported purview-current.csv'
  )

  // The strip shows the imported span: the hour of the newest record (2026-05-19 13:17 UTC)
  // is imported from the file, and no hour reads complete.
  const hour = page.locator(
    '.coverage-strip [data-status="imported"][title^="2026-05-19 13:00 UTC"]'
  )
  await expect(hour).toHaveCount(1)
  await expect(hour).toHaveAttribute(
    'title',
    /Imported from a file: imported from a file \(purview-current\.csv\), not checked against the API/
  )
  await expect(sync.cells('complete')).toHaveCount(0)
  await expect(page.getByTestId('coverage-imported')).toContainText(
    /Imported from a file: [1-9]\d* h/
  )

  await expect(sync.logEntries).toHaveCount(1)
  const entry = sync.logEntries.first()
  await expect(entry).toHaveAttribute('data-status', 'complete')
  await expect(entry).toContainText('Imported purview-current.csv — complete')
  await expect(entry).toContainText(/purview-csv · SHA-256 [0-9a-f]{64}/)
  await expect(entry).toContainText(
    '7 rows read · 4 stored · 1 duplicates (1 within the file, 0 already cached) · 2 rejected'
  )
  await expect(entry).toContainText(
    /Records from 20\d\d-\d\d-\d\d \d\d:\d\d UTC to 2026-05-19 13:17 UTC/
  )

  // Imported again: a second entry, newest first, chained to the first; nothing stored twice.
  await dropFile(page, page.getByTestId('audit-import-drop-zone'), PURVIEW_CSV)
  await expect(sync.logEntries).toHaveCount(2)
  await expect(sync.logEntries.first()).toContainText(
    '7 rows read · 0 stored · 5 duplicates (1 within the file, 4 already cached) · 2 rejected'
  )
  await expect(page.getByTestId('acquisition-log-problems')).toHaveCount(0)

  // The log is main's, not the page's: a reload lists the same entries.
  await page.reload()
  await sync.open()
  await expect(sync.logEntries).toHaveCount(2)
})
