import { expect, test } from '../fixtures/app'
import { ConnectionsPage } from '../pages/connections-page'
import { SyncPage } from '../pages/sync-page'

test('the demo workspace: sign in for Log Analytics, test its tables, sync it into the same cache', async ({
  app
}) => {
  // Waits are on the app's state; this limit is only the backstop for a hang on a loaded box.
  test.setTimeout(20 * 60_000)
  const sync = new SyncPage(app.page)
  // The demo tenant's own sync (Management API) runs first.
  expect(await sync.startDemo()).toMatch(/^(complete|partial)$/)

  const connections = new ConnectionsPage(app.page)
  await connections.open()
  const workspace = 'Demo workspace (Contoso Sentinel)'
  await expect(connections.card(workspace)).toContainText('Local demo workspace')
  await expect(connections.card(workspace).getByTestId('workspace')).toContainText(
    'PowerPlatformAdminActivity, PowerAutomateActivity, PowerAppsActivity'
  )
  await expect(connections.status(workspace)).toHaveText('Signed out')
  await connections.signIn(workspace)
  await expect(connections.status(workspace)).toHaveText(/Signed in as AmberR@/)

  const checks = await connections.testConnection(workspace)
  await expect(checks.getByRole('listitem')).toHaveCount(4)
  await expect(checks).toContainText('Workspace table PowerPlatformAdminActivity')
  await expect(checks).not.toContainText('✗')

  expect(await sync.syncConnection(workspace, 'Last 3 days', 2)).toMatch(/^(complete|partial)$/)
  const summary = await sync.summaryCounts()
  // The workspace holds the same events the Management API sync just cached: each Id is stored
  // once, the repeats are counted as duplicates.
  expect(summary.records).toBeGreaterThan(100)
  expect(summary.new + summary.duplicates).toBe(summary.records)
  expect(summary.duplicates).toBeGreaterThan(0)
  // Coverage now shows the workspace's windows, one per UTC day: days that ended are complete;
  // today's hours stay pending until the day has ended and settled (rows may still arrive).
  await expect(sync.cells('complete').first()).toBeVisible()
  const total = await sync.coverageCells.count()
  // Three days are 72 or 73 hour cells, depending on the minute the sync starts.
  expect([72, 73]).toContain(total)
  const complete = await sync.cells('complete').count()
  expect(complete).toBeGreaterThanOrEqual(40)
  expect(complete + (await sync.cells('pending').count())).toBe(total)
})
