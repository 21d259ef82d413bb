import type { NormalizedRecord } from '../../../shared/audit'

/** The row's value for the "Item" column: the resource acted on, else the object id. */
export function itemOf(record: Pick<NormalizedRecord, 'resource' | 'objectId'>): string {
  return record.resource !== '' ? record.resource : record.objectId
}
