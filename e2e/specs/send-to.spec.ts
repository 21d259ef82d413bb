import { join } from 'node:path'

import { request } from '@playwright/test'

import { expect, test } from '../fixtures/app'
import { cachedRecord, seedId, wholeSecond } from '../fixtures/cached-records'
import { ConnectionsPage } from '../pages/connections-page'
import { ExplorerPage } from '../pages/explorer-page'
import { SyncPage } from '../pages/sync-page'

/** A few cached records in the cache's shape (NormalizedRecord), one an hour back from now. */
function records(count: number): Record<string, unknown>[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, i) =>
    cachedRecord(i, {
      id: seedId('3e1c9c0a', i),
      createdAtMs: wholeSecond(now - (i + 1) * 3_600_000)
    })
  )
}

test('Send to…: a destination is added, its table name edited, then deleted (with a confirmation), and each change outlives a reload', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.emptyState.waitFor()
  const connections = new ConnectionsPage(app.page)
  await connections.open()
  await connections.addConnection({
    name: 'Fabrikam',
    tenant: 'fabrikam.onmicrosoft.com',
    clientId: '11111111-2222-3333-4444-555555555555'
  })
  await expect(connections.card('Fabrikam')).toBeVisible()
  await app.page.getByRole('link', { name: 'Explorer' }).click()
  await explorer.seed(records(3))
  await expect(explorer.status).toContainText('3 of 3 records')

  const sendTo = app.page.getByRole('button', { name: 'Send to…' })
  const panel = app.page.getByRole('dialog', { name: 'Send to' })
  const target = panel.getByTestId('send-target')
  // No destination yet: the panel opens on the form.
  await sendTo.click()
  const added = panel.getByRole('form', { name: 'New destination' })
  await added.getByLabel('Name').fill('History cluster')
  await added.getByLabel('Cluster URL').fill('https://hist.westeurope.kusto.windows.net')
  await added.getByLabel('Database').fill('AuditHistory')
  await added.getByLabel('Table').fill('ConnectorAudit')
  await added.getByRole('button', { name: 'Save destination' }).click()
  await expect(target).toHaveText(
    'https://hist.westeurope.kusto.windows.net AuditHistory.ConnectorAudit'
  )

  await panel.getByRole('button', { name: 'Edit destination…' }).click()
  const edited = panel.getByRole('form', { name: 'Edit destination' })
  await expect(edited.getByLabel('Name')).toHaveValue('History cluster')
  await expect(edited.getByLabel('Table')).toHaveValue('ConnectorAudit')
  // A saved destination keeps its engine (another engine is a new destination).
  await expect(edited.getByRole('combobox', { name: 'Engine' })).toBeDisabled()
  await expect(edited.getByRole('combobox', { name: 'Engine' })).toHaveValue('adx')
  await expect(edited).toContainText('A saved destination keeps its engine')
  await edited.getByLabel('Table').fill('ConnectorAudit2')
  await edited.getByRole('button', { name: 'Save destination' }).click()
  await expect(target).toHaveText(
    'https://hist.westeurope.kusto.windows.net AuditHistory.ConnectorAudit2'
  )
  // An update, not a second destination.
  await expect(panel.getByRole('combobox', { name: 'Destination' }).locator('option')).toHaveText([
    'History cluster'
  ])

  await app.page.reload()
  await expect(explorer.status).toContainText('3 of 3 records')
  await sendTo.click()
  await expect(target).toHaveText(
    'https://hist.westeurope.kusto.windows.net AuditHistory.ConnectorAudit2'
  )
  await panel.getByRole('button', { name: 'Delete destination…' }).click()
  const confirm = panel.getByRole('alertdialog', { name: 'Delete destination' })
  await expect(confirm).toContainText('History cluster')
  // Keeping it changes nothing; deleting it takes it away.
  await confirm.getByRole('button', { name: 'Keep it' }).click()
  await expect(confirm).toHaveCount(0)
  await expect(target).toBeVisible()
  await panel.getByRole('button', { name: 'Delete destination…' }).click()
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click()
  await expect(panel.getByRole('form', { name: 'New destination' })).toBeVisible()
  await expect(explorer.notice).toHaveText('Destination History cluster deleted.')

  await app.page.reload()
  await expect(explorer.status).toContainText('3 of 3 records')
  await sendTo.click()
  await expect(panel.getByRole('form', { name: 'New destination' })).toBeVisible()
  await expect(panel.getByRole('combobox', { name: 'Destination' })).toHaveCount(0)
})

// The demo emulator's /_test surface tells what its fake cluster holds (only the browser shell's
// test-only entry point opens it).
test.use({ demoTestHooks: true })

test('Send to… the demo Azure Data Explorer cluster: exactly the view’s rows, and nothing doubled when sent again', async ({
  app
}, testInfo) => {
  test.skip(app.launcher !== 'web', 'reads the in-process demo emulator of the browser shell')
  // Waits are on the app's state; this limit is only the backstop for a hang on a loaded box.
  test.setTimeout(20 * 60_000)
  const explorer = new ExplorerPage(app.page)
  const sync = new SyncPage(app.page)
  await explorer.emptyState.waitFor()
  expect(await sync.startDemo()).toMatch(/^(complete|partial)$/)

  // The cache fully indexed ("≥ … so far" while it loads), then a view: the connector lens
  // narrowed to deleted connections.
  const shown = await explorer.narrowByQuickSearch(
    'Operation:DeleteConnection -Operation:DeleteConnectionPermission'
  )
  expect(shown).toBeGreaterThan(0)
  await expect(explorer.rows.first()).toContainText('DeleteConnection')

  await app.page.getByRole('button', { name: 'Send to…' }).click()
  const panel = app.page.getByRole('dialog', { name: 'Send to' })
  await panel
    .getByRole('combobox', { name: 'Destination' })
    .selectOption({ label: 'Demo Azure Data Explorer (Contoso)' })
  const target = panel.getByTestId('send-target')
  await expect(target).toContainText('AuditHistory.PowerPlatformAudit')
  const cluster = (await target.getAttribute('data-cluster')) ?? ''
  expect(cluster).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/kusto$/)
  await expect(
    panel.getByText(`This view (${shown.toLocaleString('en-US')} records)`)
  ).toBeVisible()
  await panel.getByRole('button', { name: 'Send', exact: true }).click()

  const summary = panel.getByTestId('send-summary')
  await expect(summary).toBeVisible({ timeout: 10 * 60_000 })
  await expect(summary).toHaveAttribute('data-status', 'complete')
  await expect(summary).toHaveAttribute('data-sent', String(shown))
  await expect(summary).toHaveAttribute('data-already-there', '0')
  await expect(summary).toHaveAttribute('data-failed', '0')

  const emulator = await request.newContext({ ignoreHTTPSErrors: true })
  const table = async (): Promise<{
    rows: number
    ids: string[]
    values: Record<string, number>
  }> => {
    const res = await emulator.get(
      `${new URL(cluster).origin}/_test/kusto/table?db=AuditHistory&table=PowerPlatformAudit&column=Operation`
    )
    expect(res.ok()).toBe(true)
    return (await res.json()) as { rows: number; ids: string[]; values: Record<string, number> }
  }
  try {
    // The cluster holds exactly the view: as many rows as it shows, each Id once, all of them
    // deleted connections (the cache holds no other records of the view, each Id once).
    const first = await table()
    expect(first.rows).toBe(shown)
    expect(new Set(first.ids).size).toBe(shown)
    expect(first.values).toEqual({ DeleteConnection: shown })

    // Sent again: every part is found there, nothing is sent, nothing doubled.
    await panel.getByRole('button', { name: 'Send', exact: true }).click()
    await expect(summary).toHaveAttribute('data-already-there', String(shown), {
      timeout: 10 * 60_000
    })
    await expect(summary).toHaveAttribute('data-sent', '0')
    await expect(summary).toHaveAttribute('data-status', 'complete')
    await expect(summary).toContainText('already there')
    await app.page.screenshot({ path: join(testInfo.outputDir, 'send-to.png') })
    const second = await table()
    expect(second.rows).toBe(shown)
    expect(new Set(second.ids).size).toBe(shown)
  } finally {
    await emulator.dispose()
  }
})
