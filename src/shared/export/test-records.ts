import { normalizeRecord } from '../audit'
import type { NormalizedRecord } from '../audit'

/** Builds a normalized record for tests from a few fields (test helper, not shipped API). */
export function testRecord(
  id: string,
  extra: Record<string, unknown> = {},
  creationTime = '2026-05-19T13:17:34'
): NormalizedRecord {
  const raw = JSON.stringify({
    CreationTime: creationTime,
    Id: id,
    Operation: 'PutConnection',
    RecordType: 187,
    UserType: 0,
    Workload: 'PowerApps',
    UserId: 'maker@contoso.example',
    ...extra
  })
  const result = normalizeRecord(raw)
  if (!result.ok) {
    throw new Error(result.reason)
  }
  return result.record
}
