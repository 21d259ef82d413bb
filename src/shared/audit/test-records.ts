/**
 * Synthetic normalized records for unit tests of the database and the query engine.
 */
import type { NormalizedRecord } from './normalized-record'

let counter = 0

/** A plausible connector record; every field can be overridden. */
export function makeRecord(overrides: Partial<NormalizedRecord> = {}): NormalizedRecord {
  counter++
  const id = overrides.id ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`
  const createdAtMs = overrides.createdAtMs ?? Date.UTC(2026, 4, 19, 12, 0, 0) + counter * 1000
  const base: NormalizedRecord = {
    id,
    createdAt: new Date(createdAtMs).toISOString(),
    createdAtMs,
    recordType: 256,
    recordTypeName: 'PowerPlatformAdminActivity',
    operation: 'PutConnection',
    workload: 'PowerPlatform',
    userId: 'alex@contoso.example',
    userKey: 'key',
    userType: 0,
    userTypeLabel: 'Regular user',
    clientIp: '203.0.113.7',
    objectId: `object-${counter}`,
    organizationId: 'tenant-1',
    resultStatus: 'Succeeded',
    succeeded: true,
    activity: 'Connection created or edited',
    category: 'Connection',
    catalogConfidence: 'confirmed',
    isConnectorEvent: true,
    environment: 'env-prod',
    environmentName: 'Production',
    action: 'PutConnection',
    resource: `conn-${counter}`,
    resourceName: '',
    connector: 'shared_sql',
    permissionType: '',
    targetUserId: '',
    dlpSubOperation: '',
    actorRole: '',
    userAgent: '',
    fields: {},
    warnings: [],
    raw: '',
    provenance: null
  }
  const record = { ...base, ...overrides, id, createdAtMs }
  record.createdAt = new Date(createdAtMs).toISOString()
  if (!overrides.fields) {
    record.fields = {
      Id: id,
      CreationTime: record.createdAt.slice(0, 19),
      Operation: record.operation,
      UserId: record.userId,
      ClientIP: record.clientIp,
      'AdditionalInfo.EnvironmentName': record.environment,
      'AdditionalInfo.ResourceId': record.resource
    }
  }
  if (!overrides.raw) {
    record.raw = JSON.stringify(record.fields)
  }
  return record
}
