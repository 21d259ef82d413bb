/**
 * The audit log's UserType values (reference/audit-events.md §5), as data.
 */

/** One UserType value with its enum member name and a plain-language label. */
export interface UserTypeEntry {
  value: number
  /** The member name of Microsoft's enum (Graph uses the same names in camelCase). */
  member: string
  /** What the UI shows. */
  label: string
  /** One line on what kind of actor this is. */
  description: string
}

/** Every known UserType, in number order. */
export const USER_TYPES: readonly UserTypeEntry[] = [
  { value: 0, member: 'Regular', label: 'Regular user', description: 'An ordinary user.' },
  {
    value: 1,
    member: 'Reserved',
    label: 'Reserved',
    description: 'Reserved by Microsoft; unused.'
  },
  { value: 2, member: 'Admin', label: 'Admin', description: 'A tenant administrator.' },
  {
    value: 3,
    member: 'DcAdmin',
    label: 'Datacenter admin',
    description: 'A Microsoft datacenter operator or datacenter system account.'
  },
  {
    value: 4,
    member: 'System',
    label: 'System',
    description: 'Service-side logic or a background job.'
  },
  {
    value: 5,
    member: 'Application',
    label: 'Application',
    description: 'An Entra ID application.'
  },
  {
    value: 6,
    member: 'ServicePrincipal',
    label: 'Service principal',
    description: 'A service principal.'
  },
  {
    value: 7,
    member: 'CustomPolicy',
    label: 'Custom policy',
    description: 'A policy defined by the organisation.'
  },
  {
    value: 8,
    member: 'SystemPolicy',
    label: 'System policy',
    description: 'A policy defined by Microsoft.'
  },
  {
    value: 9,
    member: 'PartnerTechnician',
    label: 'Partner technician',
    description: 'A partner (GDAP) acting for the organisation.'
  },
  { value: 10, member: 'Guest', label: 'Guest', description: 'A guest or anonymous user.' }
]

const BY_VALUE = new Map<number, UserTypeEntry>(USER_TYPES.map((entry) => [entry.value, entry]))
const BY_MEMBER = new Map<string, UserTypeEntry>(
  USER_TYPES.map((entry) => [entry.member.toLowerCase(), entry])
)
// Sentinel writes "Service Principal" with a space.
BY_MEMBER.set('service principal', USER_TYPES[6] as UserTypeEntry)

/** The label of a UserType number; a number we do not know is shown as the number itself. */
export function userTypeLabel(value: number): string {
  return BY_VALUE.get(value)?.label ?? String(value)
}

/**
 * The UserType number of a record's value: a number, a numeric string, or a member name in any
 * case (`admin`, `Admin`, `dcAdmin`). Null when the value is missing or not recognised.
 */
export function userTypeValue(raw: unknown): number | null {
  if (typeof raw === 'number' && Number.isInteger(raw)) {
    return raw
  }
  if (typeof raw !== 'string') {
    return null
  }
  const text = raw.trim()
  if (/^\d+$/.test(text)) {
    return Number(text)
  }
  return BY_MEMBER.get(text.toLowerCase())?.value ?? null
}
