/**
 * Option parsing shared by `cax pull` and `cax pull --source workspace`: the cloud, whole
 * numbers within bounds and UTC date-times, each refused with a message naming the option.
 */
import { CLOUDS } from '../../shared/clouds'
import type { CloudId, CloudProfile } from '../../shared/clouds'

/** A command-line mistake: the command prints its message and the usage, and exits 2. */
export class UsageProblem extends Error {}

/** `--cloud` (default commercial) and its endpoint profile. */
export function cloudOption(value: string | undefined): { cloud: CloudId; profile: CloudProfile } {
  const cloud = (value ?? 'commercial') as CloudId
  const profile = CLOUDS[cloud]
  if (!profile) {
    throw new UsageProblem(`--cloud must be one of ${Object.keys(CLOUDS).join(', ')}`)
  }
  return { cloud, profile }
}

/** A whole number from 1 to `max`; `fallback` when the option was not given. */
export function wholeNumberOption(
  name: string,
  value: string | undefined,
  fallback: number,
  max: number
): number {
  if (value === undefined) {
    return fallback
  }
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageProblem(`--${name} must be a whole number from 1 to ${max}`)
  }
  return n
}

/** An ISO 8601 date or date-time; one without a zone is read as UTC. */
export function dateTimeOption(name: string, value: string): Date {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`)
  if (Number.isNaN(d.getTime())) {
    throw new UsageProblem(`--${name} is not a date/time: '${value}' (use ISO 8601, UTC)`)
  }
  return d
}
