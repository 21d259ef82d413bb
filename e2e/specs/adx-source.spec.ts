import { expect, test } from '../fixtures/app'
import { ConnectionsPage } from '../pages/connections-page'
import { SyncPage } from '../pages/sync-page'

test('the demo ADX history: sign in for the cluster, test its table, sync older history into the same cache', async ({
  app
}) => {
  // Waits are on the app's state; this limit is only the backstop for a hang on a loaded box.
  test.setTimeout(20 * 60_000)
  const sync = new SyncPage(app.page)
  expect(await sync.startDemo()).toMatch(/^(complete|partial)$/)

  const connections = new ConnectionsPage(app.page)
  await connections.open()
  const adx = 'Demo ADX history (Contoso)'
  await expect(connections.card(adx)).toContainText('Local demo Azure Data Explorer cluster')
  await expect(connections.card(adx).getByTestId('adx')).toContainText(
    'AuditHistory.ConnectorHistory'
  )
  await connections.signIn(adx)
  await expect(connections.status(adx)).toHaveText(/Signed in as AmberR@/)
  const checks = await connections.testConnection(adx)
  await expect(checks.getByRole('listitem')).toHaveCount(2)
  await expect(checks).toContainText('Table AuditHistory.ConnectorHistory')
  await expect(checks).not.toContainText('✗')

  expect(await sync.syncConnection(adx, 'Last 30 days', 2)).toMatch(/^(complete|partial)$/)
  const summary = await sync.summaryCounts()
  // The table holds days the Management API no longer serves: new records in the same cache.
  expect(summary.records).toBeGreaterThan(100)
  expect(summary.new).toBeGreaterThan(0)
  expect(summary.new + summary.duplicates).toBe(summary.records)
  await expect(sync.cells('complete').first()).toBeVisible()
})
