import { expect, test } from '../fixtures/app'
import { cachedRecord, SEED_TENANT, seedId, wholeSecond } from '../fixtures/cached-records'
import { ExplorerPage } from '../pages/explorer-page'

const HOUR = 3_600_000

/** One cached record in the cache's shape (NormalizedRecord), `i` hours old. */
function record(
  i: number,
  kind: { operation: string; activity: string; category: string; isConnector: boolean }
): Record<string, unknown> {
  const createdAtMs = wholeSecond(Date.now() - i * HOUR - 60_000)
  const id = seedId('7c2e9c0a', i)
  const fields: Record<string, string> = {
    // Deliberately not in the documented order: the pane orders them.
    UserId: 'bea@contoso.example',
    Workload: 'PowerPlatform',
    Id: id,
    ClientIP: `203.0.113.${i}`,
    CreationTime: new Date(createdAtMs).toISOString().slice(0, 19),
    Operation: kind.operation,
    RecordType: '261',
    OrganizationId: SEED_TENANT,
    UserType: '0',
    ObjectId: `object-${i}`,
    'AdditionalInfo.ResourceId': `shared-sql-${i}`,
    'AdditionalInfo.EnvironmentName': 'env-sales',
    'AdditionalInfo.ActionName': kind.operation
  }
  return cachedRecord(i, {
    id,
    createdAtMs,
    operation: kind.operation,
    userKey: 'key-1',
    clientIp: `203.0.113.${i}`,
    activity: kind.activity,
    category: kind.category,
    isConnectorEvent: kind.isConnector,
    connector: kind.isConnector ? 'shared_sql' : '',
    fields
  })
}

const CONNECTION = {
  operation: 'PutConnection',
  activity: 'Connection created or edited',
  category: 'Connection',
  isConnector: true
}
const DATA_POLICY = {
  operation: 'GovernanceApiPolicyOperation',
  activity: 'Data policy changed',
  category: 'Data policy',
  isConnector: false
}
const APP = {
  operation: 'LaunchPowerApp',
  activity: 'Launched app',
  category: 'Power Apps',
  isConnector: false
}

test('opens on connector activity, switches to all audit events in one click, and back', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  // 6 connections, 2 data-policy changes (connector activity), 4 app launches (not).
  await explorer.seed([
    ...Array.from({ length: 6 }, (_, i) => record(i, CONNECTION)),
    ...Array.from({ length: 2 }, (_, i) => record(6 + i, DATA_POLICY)),
    ...Array.from({ length: 4 }, (_, i) => record(8 + i, APP))
  ])
  const view = app.page.getByRole('group', { name: 'View' })
  const connector = view.getByRole('button', { name: 'Connector activity' })
  const all = view.getByRole('button', { name: 'All audit events' })

  await expect(explorer.status).toContainText('8 of 12 records')
  await expect(connector).toHaveAttribute('aria-pressed', 'true')
  await expect(explorer.grid).not.toContainText('Launched app')

  await all.click()
  await expect(explorer.status).toContainText('12 of 12 records')
  await expect(all).toHaveAttribute('aria-pressed', 'true')
  await expect(connector).toHaveAttribute('aria-pressed', 'false')

  await connector.click()
  await expect(explorer.status).toContainText('8 of 12 records')

  // The view picker offers both lenses and the investigation views.
  await explorer.savedFilter.selectOption({ label: 'All audit events' })
  await expect(explorer.status).toContainText('12 of 12 records')
  await explorer.savedFilter.selectOption({ label: 'Connections shared' })
  await expect(explorer.status).toContainText('0 of 12 records')
  // Nothing matches: the empty view offers the way out and the other views.
  const noMatch = app.page.getByTestId('no-match')
  await noMatch
    .getByRole('navigation', { name: 'Investigation views' })
    .getByRole('button', { name: 'Connector activity' })
    .click()
  await expect(explorer.status).toContainText('8 of 12 records')
  await expect(noMatch).toHaveCount(0)
})

test('the details pane shows the documented activity details first, in the documented order', async ({
  app
}) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.seed([record(1, CONNECTION)])
  await explorer.rows.first().locator('[col-id="userId"]').click()
  const summary = explorer.details.getByRole('definition').first()
  await expect(summary).toBeVisible()
  const summaryTerms = await explorer.details
    .getByLabel('Activity details')
    .locator('dt')
    .allInnerTexts()
  expect(summaryTerms).toEqual(['Date', 'IP address', 'Users', 'Activity', 'Item'])
  const keys = await explorer.details
    .getByLabel('Fields')
    .locator('dt')
    .evaluateAll((terms) => terms.map((term) => term.getAttribute('title')))
  expect(keys).toEqual([
    'CreationTime',
    'Id',
    'Operation',
    'OrganizationId',
    'UserType',
    'ClientIP',
    'ObjectId',
    'UserId',
    'AdditionalInfo.EnvironmentName',
    'AdditionalInfo.ActionName',
    'AdditionalInfo.ResourceId',
    'Workload',
    'RecordType'
  ])
})

test('the empty cache offers the investigation views', async ({ app }) => {
  const explorer = new ExplorerPage(app.page)
  await explorer.emptyState.waitFor()
  const views = app.page.getByRole('navigation', { name: 'Investigation views' })
  await expect(views.getByRole('button')).toHaveText([
    'Connector activity',
    'All audit events',
    'Connections shared',
    'Connections turned off by data policy',
    'Custom APIs created or deleted',
    'Gateway permission changes',
    'Activity by admins'
  ])
})
