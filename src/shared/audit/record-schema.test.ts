import { describe, expect, it } from 'vitest'

import { AuditRecordSchema, readAuditRecord } from './record-schema'

const FIELDS = [
  'Id',
  'RecordType',
  'CreationTime',
  'Operation',
  'OrganizationId',
  'UserType',
  'UserKey',
  'UserId',
  'Workload',
  'ResultStatus',
  'ObjectId',
  'ClientIP'
] as const

const VALUES: unknown[] = [
  'text',
  '',
  0,
  42,
  -1.5,
  1e21,
  true,
  false,
  null,
  undefined,
  {},
  { nested: 1 },
  [],
  ['a']
]

describe('readAuditRecord', () => {
  it('reads every common field exactly as the zod schema does, whatever its type', () => {
    for (const field of FIELDS) {
      for (const value of VALUES) {
        const source: Record<string, unknown> = { Id: 'x', [field]: value }
        const parsed = AuditRecordSchema.parse(source)
        const fast = readAuditRecord(source)
        expect({ field, value, got: fast[field] }).toEqual({ field, value, got: parsed[field] })
      }
    }
  })

  it('reads a missing field as missing', () => {
    const fast = readAuditRecord({})
    const parsed = AuditRecordSchema.parse({})
    for (const field of FIELDS) {
      expect(fast[field]).toBe(parsed[field])
      expect(fast[field]).toBeUndefined()
    }
  })
})
