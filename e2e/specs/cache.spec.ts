import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { chromium } from '@playwright/test'

import { expect, test } from '../fixtures/app'
import { cachedRecord, seedId, wholeSecond } from '../fixtures/cached-records'
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  openStartupLink,
  startWebShellProcess
} from '../fixtures/launchers'
import { ExplorerPage } from '../pages/explorer-page'

const HOUR = 3_600_000

/** Cached records in the cache's shape (NormalizedRecord), one an hour back from now. */
function records(count: number, padding = 0): Record<string, unknown>[] {
  // Letters from a fixed-seed generator: storage compression cannot shrink them away.
  let seed = 12345
  const noise = (length: number): string => {
    let text = ''
    for (let i = 0; i < length; i++) {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0
      text += String.fromCharCode(97 + (seed >>> 27))
    }
    return text
  }
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => {
    const id = seedId('5d2c9c0a', i)
    const userId = `user${i % 4}@contoso.example`
    const fields: Record<string, string> = { Id: id, Operation: 'PutConnection', UserId: userId }
    if (padding > 0) {
      fields['AdditionalInfo'] = noise(padding)
    }
    return cachedRecord(i, {
      id,
      createdAtMs: wholeSecond(now - i * HOUR - 60_000),
      userId,
      clientIp: `203.0.113.${i}`,
      fields
    })
  })
}

test('the cache opens from its stored chunks, shows its size, and clears', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.seed(records(30))
  await expect(explorer.status).toContainText('30 of 30 records')

  // Opening again reads the persisted columns: the same records, nothing rebuilt from rows.
  await app.page.reload()
  await expect(explorer.status).toContainText('30 of 30 records')
  await expect(explorer.rows.first()).toContainText('user0@contoso.example')

  await app.page.getByRole('link', { name: 'Settings' }).click()
  const size = app.page.getByTestId('cache-size')
  await expect(size).toContainText('30 records')
  await expect(size).toContainText('on disk')

  await app.page.getByRole('button', { name: 'Clear cache…' }).click()
  await app.page.getByRole('button', { name: 'Yes, clear the cache' }).click()
  await expect(size).toContainText('0 records')

  await app.page.getByRole('link', { name: 'Explorer' }).click()
  await expect(explorer.emptyState).toBeVisible()
})

test('clearing the cache frees its space on disk', async () => {
  // A browser profile on disk, as users have (the other specs use in-memory contexts).
  test.skip(test.info().project.name !== 'web', 'the browser shell with a profile folder on disk')
  const profile = await mkdtemp(join(tmpdir(), 'cax-e2e-profile-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS
  })
  const shell = await startWebShellProcess()
  try {
    const page = await context.newPage()
    await openStartupLink(page, shell.openUrl)
    const explorer = new ExplorerPage(page)
    // 2,000 records of ~4 KB each: about 8 MB of text that only the records take (the browser
    // compresses what it stores, so the disk holds less).
    await explorer.seed(records(2000, 4000))
    await expect(explorer.status).toContainText('2,000 of 2,000 records')
    const onDisk = (): Promise<number> => folderBytes(join(profile, 'Default', 'IndexedDB'))
    const diskBefore = await onDisk()
    expect(diskBefore).toBeGreaterThan(2_000_000)

    await page.getByRole('link', { name: 'Settings' }).click()
    const size = page.getByTestId('cache-size')
    await expect(size).toContainText('2,000 records')
    const usage = async (): Promise<number> => Number(await size.getAttribute('data-usage'))
    const before = await usage()
    expect(before).toBeGreaterThan(2_000_000)

    await page.getByRole('button', { name: 'Clear cache…' }).click()
    await page.getByRole('button', { name: 'Yes, clear the cache' }).click()
    await expect(size).toContainText('0 records')
    // The browser may let the space go a moment after the clear: look again until it has, in
    // Settings (what the user reads) and in the profile folder (what the disk holds).
    await expect
      .poll(
        async () => {
          await page.getByRole('link', { name: 'Explorer' }).click()
          await page.getByRole('link', { name: 'Settings' }).click()
          await expect(size).toContainText('0 records')
          return usage()
        },
        { timeout: 120_000 }
      )
      .toBeLessThan(before / 4)
    await expect.poll(onDisk, { timeout: 120_000 }).toBeLessThan(diskBefore / 4)
  } finally {
    await context.close()
    await shell.stop()
    await rm(profile, { recursive: true, force: true })
  }
})

/** Bytes of every file under a folder. */
async function folderBytes(folder: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      total += (await stat(join(entry.parentPath, entry.name))).size
    }
  }
  return total
}
