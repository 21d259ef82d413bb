import { expect, test } from '../fixtures/app'
import { ConnectionsPage } from '../pages/connections-page'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

// A machine with no Secret Service (the browser shell's home: no display, no keyring): the
// session bus points nowhere, so the keychain module fails as it does there.
test.use({
  appEnv: {
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/cax-no-secret-service',
    DISPLAY: undefined
  }
})

test('the demo signs in and syncs with no keychain; a real profile is offered memory right at the error', async ({
  app
}) => {
  test.setTimeout(12 * 60_000)
  const explorer = new ExplorerPage(app.page)
  const sync = new SyncPage(app.page)
  await explorer.emptyState.waitFor()
  await app.page.getByRole('button', { name: 'Explore the demo tenant' }).click()
  expect(await sync.ended()).toMatch(/^(complete|partial)$/)
  await expect(sync.statusBar).toHaveText(/Last sync: (complete|partial) · [\d,]+ new/)
  await expect(app.page.getByRole('alert')).toHaveCount(0)
  await expect(explorer.rows.first()).toBeVisible()

  const connections = new ConnectionsPage(app.page)
  await connections.open()
  await expect(connections.status('Demo tenant (Contoso)')).toHaveText(/Signed in as /)
  await expect(connections.card('Demo tenant (Contoso)')).toContainText(
    'Tokens are kept in memory only'
  )

  await connections.addConnection({
    name: 'Fabrikam',
    tenant: 'fabrikam.onmicrosoft.com',
    clientId: '11111111-2222-3333-4444-555555555555'
  })
  const card = connections.card('Fabrikam')
  await card.getByRole('button', { name: 'Sign in', exact: true }).click()
  const error = card.locator('[data-code="auth/keychain-unavailable"]')
  await expect(error).toContainText('The OS keychain is not available')
  await error.getByRole('button', { name: 'Keep tokens in memory only' }).click()
  await expect(error).toHaveCount(0)
  await expect(card).toContainText('Tokens are kept in memory only')
  await expect(card.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled()
})
