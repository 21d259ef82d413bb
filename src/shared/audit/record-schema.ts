import { z } from 'zod'

/**
 * The zod schema of the common Microsoft 365 unified-audit record (reference/audit-events.md §4).
 *
 * It is deliberately tolerant: every field is optional here, unknown fields are kept
 * (`looseObject`), a field of an unexpected type reads as missing instead of failing the record,
 * and numbers or booleans in text fields are turned into text. Whether a record is usable (has
 * an Id and a valid CreationTime) is decided by the normalizer, which names the specific reason.
 */

/** A text field that also accepts a number or boolean (as text); anything else reads as missing. */
const Text = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((value) => String(value))
  .nullish()
  .catch(undefined)

/** A field that is a number in API records and a name in Graph and Search-UnifiedAuditLog output. */
const NumberOrName = z.union([z.number(), z.string()]).nullish().catch(undefined)

/** One entry of a RecordType 256 `PropertyCollection` (§9): all values are strings on the wire. */
export const PropertyCollectionEntrySchema = z.looseObject({
  Name: Text,
  Value: z.unknown().optional()
})
/** One entry of a `PropertyCollection`. */
export type PropertyCollectionEntry = z.infer<typeof PropertyCollectionEntrySchema>

/** The common audit schema, tolerant of extra and malformed fields. */
export const AuditRecordSchema = z.looseObject({
  Id: Text,
  RecordType: NumberOrName,
  CreationTime: Text,
  Operation: Text,
  OrganizationId: Text,
  UserType: NumberOrName,
  UserKey: Text,
  UserId: Text,
  Workload: Text,
  ResultStatus: Text,
  ObjectId: Text,
  ClientIP: Text,
  Scope: NumberOrName,
  Version: NumberOrName,
  AppAccessContext: z.unknown().optional(),
  EnvironmentId: Text,
  RequiresCustomerKeyEncryption: z.unknown().optional(),
  AdditionalInfo: z.unknown().optional(),
  ResourceId: Text,
  PropertyCollection: z.unknown().optional()
})
/** A record as read by {@link AuditRecordSchema}. */
export type AuditRecord = z.infer<typeof AuditRecordSchema>

/** The common fields the normalizer reads, as {@link AuditRecordSchema} reads them. */
export type AuditRecordFields = Pick<
  AuditRecord,
  | 'Id'
  | 'RecordType'
  | 'CreationTime'
  | 'Operation'
  | 'OrganizationId'
  | 'UserType'
  | 'UserKey'
  | 'UserId'
  | 'Workload'
  | 'ResultStatus'
  | 'ObjectId'
  | 'ClientIP'
>

function text(value: unknown): string | null | undefined {
  if (typeof value === 'string') {
    return value
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value)
  }
  return value === null ? null : undefined
}

function numberOrName(value: unknown): number | string | null | undefined {
  if (typeof value === 'number' || typeof value === 'string') {
    return value
  }
  return value === null ? null : undefined
}

/**
 * Reads the common fields of a parsed record exactly as {@link AuditRecordSchema} does (same
 * tolerance: a text field takes a string, number or boolean as text, anything else reads as
 * missing), without building a copy of the whole record. The normalizer runs this once per
 * record on imports and syncs of millions of records, where zod's generic walk costs a tenth
 * of the time; record-schema.test.ts holds the two to the same answers.
 */
export function readAuditRecord(source: Record<string, unknown>): AuditRecordFields {
  return {
    Id: text(source.Id),
    RecordType: numberOrName(source.RecordType),
    CreationTime: text(source.CreationTime),
    Operation: text(source.Operation),
    OrganizationId: text(source.OrganizationId),
    UserType: numberOrName(source.UserType),
    UserKey: text(source.UserKey),
    UserId: text(source.UserId),
    Workload: text(source.Workload),
    ResultStatus: text(source.ResultStatus),
    ObjectId: text(source.ObjectId),
    ClientIP: text(source.ClientIP)
  }
}
