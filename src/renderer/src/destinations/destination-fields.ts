/**
 * The "Send to…" destination form's fields as plain data: filled from a saved destination to
 * edit it, turned back into the contract's input (with the id, so main replaces rather than
 * adds), and the list as it stands after a delete.
 */
import { ADX_DEFAULT_TABLE } from '../../../shared/adx/adx-table'
import { DestinationInput, type Destination } from '../../../shared/destinations'

/** What the form holds: both engines' fields, so switching the engine loses nothing typed. */
export interface DestinationFields {
  kind: 'adx' | 'loganalytics'
  displayName: string
  profileId: string
  cluster: string
  database: string
  table: string
  endpoint: string
  ruleId: string
  laTable: string
  workspaceId: string
}

/** The fields of a new destination, signed in with `profileId`. */
export function emptyFields(profileId: string): DestinationFields {
  return {
    kind: 'adx',
    displayName: '',
    profileId,
    cluster: '',
    database: '',
    table: ADX_DEFAULT_TABLE,
    endpoint: '',
    ruleId: '',
    laTable: 'PowerPlatformAudit_CL',
    workspaceId: ''
  }
}

/** The fields of a saved destination, to edit it (the other engine's fields keep their defaults). */
export function fieldsOf(d: Destination): DestinationFields {
  const base = { ...emptyFields(d.profileId), kind: d.kind, displayName: d.displayName }
  return d.kind === 'adx'
    ? { ...base, cluster: d.adx.cluster, database: d.adx.database, table: d.adx.table }
    : {
        ...base,
        endpoint: d.loganalytics.endpoint,
        ruleId: d.loganalytics.ruleId,
        laTable: d.loganalytics.table,
        workspaceId: d.loganalytics.workspaceId
      }
}

/**
 * The contract's input for `fields` (an update of destination `id` when given), or what is
 * wrong with them, field by field.
 */
export function inputOf(
  fields: DestinationFields,
  id?: string
): { ok: true; input: DestinationInput } | { ok: false; error: string } {
  const { kind, displayName, profileId } = fields
  const parsed = DestinationInput.safeParse({
    ...(id !== undefined ? { id } : {}),
    kind,
    displayName,
    profileId,
    ...(kind === 'adx'
      ? { adx: { cluster: fields.cluster, database: fields.database, table: fields.table } }
      : {
          loganalytics: {
            endpoint: fields.endpoint,
            ruleId: fields.ruleId,
            table: fields.laTable,
            workspaceId: fields.workspaceId
          }
        })
  })
  return parsed.success
    ? { ok: true, input: parsed.data }
    : {
        ok: false,
        error: parsed.error.issues
          .map((i) => `${i.path.slice(-1).join('')}: ${i.message}`)
          .join('; ')
      }
}

/**
 * The destinations after `deletedId` is gone, and which one is chosen then: the same one when
 * another was deleted, else the one that took the deleted one's place (or the last; '' if none).
 */
export function afterDelete(
  all: readonly Destination[],
  deletedId: string,
  chosen: string
): { destinations: Destination[]; chosen: string } {
  const at = all.findIndex((d) => d.id === deletedId)
  const destinations = all.filter((d) => d.id !== deletedId)
  if (chosen !== deletedId && destinations.some((d) => d.id === chosen)) {
    return { destinations, chosen }
  }
  const next = destinations[Math.min(Math.max(at, 0), destinations.length - 1)]
  return { destinations, chosen: next?.id ?? '' }
}
