import { expect, test } from '../fixtures/app'
import { ConnectionsPage } from '../pages/connections-page'
import { SyncPage } from '../pages/sync-page'

test('signs in to the demo tenant in one click and tests the connection', async ({ app }) => {
  test.setTimeout(15 * 60_000)
  await app.page.getByRole('button', { name: 'Explore the demo tenant' }).click()
  // The first sync starts at once; let it end before reloading the page under it.
  await new SyncPage(app.page).ended(1)
  const connections = new ConnectionsPage(app.page)
  await connections.open()
  const demo = 'Demo tenant (Contoso)'
  await expect(connections.status(demo)).toHaveText(/Signed in as AmberR@/)

  await connections.card(demo).getByRole('button', { name: 'Test connection' }).click()
  const checks = connections.card(demo).getByRole('list', { name: 'Connection test' })
  await expect(checks.getByRole('listitem')).toHaveCount(4)
  await expect(checks).not.toContainText('✗')
  await expect(checks).toContainText('Management Activity API')

  await app.reload()
  await app.page.locator('[data-app-state="ready"]').waitFor()
  await connections.open()
  await expect(connections.status(demo)).toHaveText(/Signed in as AmberR@/)

  await connections.card(demo).getByRole('button', { name: 'Sign out' }).click()
  await expect(connections.status(demo)).toHaveText('Signed out')
})

test('validates a new connection before saving it, and keeps a valid one', async ({ app }) => {
  const connections = new ConnectionsPage(app.page)
  await connections.open()
  await connections.addConnection({ name: 'Contoso', tenant: 'not a tenant', clientId: '1234' })
  const form = app.page.getByRole('form', { name: 'Connection' })
  await expect(form).toContainText('must be a tenant ID (GUID) or a domain')
  await expect(form).toContainText('must be a GUID')

  await form.getByLabel('Tenant ID or domain').fill('contoso.onmicrosoft.com')
  await form.getByLabel('Application (client) ID').fill('11111111-2222-3333-4444-555555555555')
  await form.getByRole('button', { name: 'Add connection' }).click()
  await expect(connections.card('Contoso')).toContainText('Commercial · contoso.onmicrosoft.com')
  await expect(connections.status('Contoso')).toHaveText('Signed out')

  await app.reload()
  await app.page.locator('[data-app-state="ready"]').waitFor()
  await connections.open()
  await expect(connections.card('Contoso')).toBeVisible()
})
