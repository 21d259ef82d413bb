/**
 * The order of the details pane: Microsoft's documented activity details first, in the order
 * connector-activities.md lists them, then every other field as the record has it.
 */

/** The summary rows at the top of the pane (grid columns), in the documented order. */
export const SUMMARY_DETAILS = ['Date', 'IP address', 'Users', 'Activity', 'Item'] as const

/** The documented record fields, in the documented order (flattened keys). */
export const DOCUMENTED_FIELDS = [
  'CreationTime',
  'Id',
  'Operation',
  'OrganizationId',
  'UserType',
  'ClientIP',
  'ObjectId',
  'UserId',
  'AdditionalInfo',
  'AdditionalInfo.EnvironmentName',
  'AdditionalInfo.ActionName',
  'AdditionalInfo.ResourceId'
] as const

const RANK = new Map<string, number>(DOCUMENTED_FIELDS.map((key, i) => [key.toLowerCase(), i]))

/**
 * The record's fields split into the documented ones (documented order; keys matched without
 * regard to case, as exports vary) and everything else (the record's own order).
 */
export function orderDetailFields(fields: Readonly<Record<string, string>>): {
  documented: [string, string][]
  others: [string, string][]
} {
  const documented: [string, string, number][] = []
  const others: [string, string][] = []
  for (const [key, value] of Object.entries(fields)) {
    const rank = RANK.get(key.toLowerCase())
    if (rank === undefined) {
      others.push([key, value])
    } else {
      documented.push([key, value, rank])
    }
  }
  documented.sort((a, b) => a[2] - b[2])
  return { documented: documented.map(([key, value]) => [key, value]), others }
}
