import { expect, test } from '../fixtures/app'
import { ExplorerPage } from '../pages/explorer-page'

const HOUR = 3_600_000

/** Cached records in the cache's shape (NormalizedRecord), one an hour back from now. */
function records(count: number): Record<string, unknown>[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => {
    const createdAtMs = Math.floor((now - i * HOUR - 60_000) / 1000) * 1000
    const id = `5d2c9c0a-0000-4000-8000-${String(i).padStart(12, '0')}`
    const fields = { Id: id, Operation: 'PutConnection', UserId: `user${i % 4}@contoso.example` }
    return {
      id,
      createdAt: new Date(createdAtMs).toISOString(),
      createdAtMs,
      recordType: 261,
      recordTypeName: 'PowerPlatformConnector',
      operation: 'PutConnection',
      workload: 'PowerPlatform',
      userId: fields.UserId,
      userKey: '',
      userType: 0,
      userTypeLabel: 'Regular user',
      clientIp: `203.0.113.${i}`,
      objectId: `object-${i}`,
      organizationId: '11111111-2222-3333-4444-555555555555',
      resultStatus: 'Succeeded',
      succeeded: true,
      activity: 'Connection created or edited',
      category: 'Connection',
      catalogConfidence: 'confirmed',
      isConnectorEvent: true,
      environment: 'env-sales',
      environmentName: '',
      action: 'PutConnection',
      resource: `shared-sql-${i}`,
      resourceName: '',
      connector: 'shared_sql',
      permissionType: '',
      targetUserId: '',
      dlpSubOperation: '',
      actorRole: '',
      userAgent: '',
      fields,
      warnings: [],
      raw: JSON.stringify(fields),
      provenance: null
    }
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
