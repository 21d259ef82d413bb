import { expect, test } from '../fixtures/app'
import { cachedRecord, seedId, wholeSecond } from '../fixtures/cached-records'
import { ExplorerPage } from '../pages/explorer-page'

/** More users than a page of the stack holds (500), each with one record. */
const USERS = 620

const userOf = (i: number): string => `user-${String(i).padStart(3, '0')}@contoso.example`

/** Seeds one record per user and stacks by user; every count is 1, so user-000 comes first. */
async function stackByUser(explorer: ExplorerPage, idPrefix: string): Promise<void> {
  const start = Date.now() - 24 * 3_600_000
  await explorer.seed(
    Array.from({ length: USERS }, (_, i) =>
      cachedRecord(i, {
        id: seedId(idPrefix, i),
        createdAtMs: wholeSecond(start + i * 1000),
        userId: userOf(i)
      })
    )
  )
  await expect(explorer.status).toContainText(`${USERS} of ${USERS} records`)
  await explorer.openStack()
  await explorer.stackBy.selectOption({ label: 'User' })
  await expect(explorer.stackSummary).toContainText(`${USERS} distinct in ${USERS} rows`)
  await expect(explorer.stackRows.first()).toContainText(userOf(0))
}

test('a long stack draws only the entries in view, and every entry of the page is reachable by scrolling', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await stackByUser(explorer, '5a7c1e20')
  const drawn = await explorer.stackRows.count()
  expect(drawn).toBeGreaterThan(0)
  expect(drawn).toBeLessThan(100)

  // Scrolled to the end of the page: its last entry (the 500th) is drawn and filters the grid.
  const list = explorer.stack.locator('.stack-table')
  await list.evaluate((box) => (box.scrollTop = box.scrollHeight))
  const last = explorer.stackRows.filter({ hasText: userOf(499) })
  await expect(last).toBeVisible()
  expect(await explorer.stackRows.count()).toBeLessThan(100)
  await expect(explorer.stackRows.filter({ hasText: userOf(0) })).toHaveCount(0)
  await last.click()
  await expect(explorer.status).toContainText(`1 of ${USERS} records`)
  await expect(explorer.stackSummary).toContainText('1 distinct in 1 row')
})

test('the next page of a long stack starts at its top', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await stackByUser(explorer, '6b8d2f31')
  const list = explorer.stack.locator('.stack-table')
  await list.evaluate((box) => (box.scrollTop = box.scrollHeight))
  await expect(explorer.stackRows.filter({ hasText: userOf(499) })).toBeVisible()
  await explorer.stack.getByRole('button', { name: 'Next 500' }).click()
  await expect(explorer.stackRows.first()).toContainText(userOf(500))
  await expect(explorer.stackRows.first()).toBeVisible()
  expect(await list.evaluate((box) => box.scrollTop)).toBe(0)
  // The last page holds the remaining 120, all drawn by scrolling.
  await list.evaluate((box) => (box.scrollTop = box.scrollHeight))
  await expect(explorer.stackRows.filter({ hasText: userOf(USERS - 1) })).toBeVisible()
})
