import { z } from 'zod'

import { resolveTimeZone } from '../export/time-zone'

/**
 * The thresholds of the governance views and findings, as one validated settings object. Every
 * field has a default, so `{}` is a valid settings object; a bad value is refused with the path
 * of the field that is wrong.
 */

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/

function isTimeZone(name: string): boolean {
  try {
    resolveTimeZone(name)
    return true
  } catch {
    return false
  }
}

/** The settings schema (zod). */
export const GovernanceSettingsSchema = z
  .object({
    /**
     * Principal ids that mean "everyone in the organisation" when a permission names them
     * (case-insensitive). The tenant's own id always counts as well.
     */
    organisationPrincipals: z
      .array(z.string().min(1))
      .default(['Everyone', 'AllUsers', 'All users', 'EveryoneExceptExternalUsers', '*']),
    /**
     * The organisation's own domains. When set, a principal UPN in another domain counts as a
     * guest; `#EXT#` UPNs and actors the audit log marks as guests count in any case.
     */
    tenantDomains: z.array(z.string().min(1)).default([]),
    /** A custom API deleted within this many hours of its creation is a finding. */
    shortLivedApiHours: z
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
    /** A burst: at least `minEvents` changes of one kind by one actor within `windowMinutes`. */
    burst: z
      .object({
        windowMinutes: z
          .number()
          .positive()
          .max(24 * 60)
          .default(10),
        minEvents: z.number().int().min(2).max(100_000).default(5)
      })
      .default({ windowMinutes: 10, minEvents: 5 }),
    /**
     * First-time actors and new IP addresses are reported only after this many days of the cache
     * (counted from its first record): before that, everyone is new.
     */
    baselineDays: z.number().min(0).max(365).default(7),
    /** Working hours; connector changes outside them are a finding. */
    workingHours: z
      .object({
        /** `UTC` or an IANA zone name. */
        timeZone: z.string().min(1).default('UTC'),
        /** Working days, 0 = Sunday … 6 = Saturday. */
        days: z.array(z.number().int().min(0).max(6)).default([1, 2, 3, 4, 5]),
        /** Start of the working day, `HH:MM` (inclusive). */
        start: z.string().regex(HH_MM, 'must be HH:MM (24-hour)').default('08:00'),
        /** End of the working day, `HH:MM` (exclusive). */
        end: z.string().regex(HH_MM, 'must be HH:MM (24-hour)').default('18:00')
      })
      .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] })
      .refine((w) => isTimeZone(w.timeZone), {
        message: 'unknown time zone: use UTC or an IANA name such as Europe/Paris',
        path: ['timeZone']
      })
      .default({ timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' }),
    /** Ids of rules to leave out (see FINDING_RULES). */
    disabledRules: z.array(z.string()).default([])
  })
  .strict()

/** Governance settings with every default filled in. */
export type GovernanceSettings = z.infer<typeof GovernanceSettingsSchema>

/** Settings as a user writes them: every field optional. */
export type GovernanceSettingsInput = z.input<typeof GovernanceSettingsSchema>

/** The settings with every default. */
export const DEFAULT_GOVERNANCE_SETTINGS: GovernanceSettings = GovernanceSettingsSchema.parse({})

/** Settings that do not validate; the message names each wrong field. */
export class GovernanceSettingsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GovernanceSettingsError'
  }
}

/**
 * Parses settings from untrusted input (a file, IPC). Throws {@link GovernanceSettingsError}
 * naming every wrong field, e.g. `workingHours.start: must be HH:MM (24-hour)`.
 */
export function parseGovernanceSettings(input: unknown): GovernanceSettings {
  const parsed = GovernanceSettingsSchema.safeParse(input ?? {})
  if (!parsed.success) {
    throw new GovernanceSettingsError(
      parsed.error.issues
        .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(settings)'}: ${i.message}`)
        .join('; ')
    )
  }
  return parsed.data
}
