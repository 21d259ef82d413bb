import { expect, test } from '../fixtures/app'
import { ConnectionsPage } from '../pages/connections-page'
import { SyncPage } from '../pages/sync-page'

/** `… 5,120 records received, 312 new, 4,808 duplicates, 0 gaps.` → the three counts */
function counts(summary: string): { records: number; new: number; duplicates: number } {
  const n = (re: RegExp): number => Number(re.exec(summary)?.[1]?.replace(/,/g, '') ?? 'NaN')
  return {
    records: n(/([\d,]+) records received/),
    new: n(/([\d,]+) new/),
    duplicates: n(/([\d,]+) duplicates/)
  }
}

test('the demo ADX history: sign in for the cluster, test its table, sync older history into the same cache', async ({
  app
}) => {
  // Waits are on the app's state; this limit is only the backstop for a hang on a loaded box.
  test.setTimeout(20 * 60_000)
  const sync = new SyncPage(app.page)
  await app.page.getByRole('button', { name: 'Explore the demo tenant' }).click()
  expect(await sync.ended(1)).toMatch(/^(complete|partial)$/)

  const connections = new ConnectionsPage(app.page)
  await connections.open()
  const adx = 'Demo ADX history (Contoso)'
  await expect(connections.card(adx)).toContainText('Local demo Azure Data Explorer cluster')
  await expect(connections.card(adx).getByTestId('adx')).toContainText(
    'AuditHistory.ConnectorHistory'
  )
  await connections.card(adx).getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(connections.status(adx)).toHaveText(/Signed in as AmberR@/)
  await connections.card(adx).getByRole('button', { name: 'Test connection' }).click()
  const checks = connections.card(adx).getByRole('list', { name: 'Connection test' })
  await expect(checks.getByRole('listitem')).toHaveCount(2)
  await expect(checks).toContainText('Table AuditHistory.ConnectorHistory')
  await expect(checks).not.toContainText('✗')

  await sync.open()
  await app.page.getByRole('combobox', { name: 'Connection to sync' }).selectOption({ label: adx })
  await sync.range.selectOption({ label: 'Last 30 days' })
  await sync.startButton.click()
  expect(await sync.ended(2)).toMatch(/^(complete|partial)$/)
  const summary = counts(await sync.summary.innerText())
  // The table holds days the Management API no longer serves: new records in the same cache.
  expect(summary.records).toBeGreaterThan(100)
  expect(summary.new).toBeGreaterThan(0)
  expect(summary.new + summary.duplicates).toBe(summary.records)
  await expect(sync.cells('complete').first()).toBeVisible()
})
