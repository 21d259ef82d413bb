import type { NormalizedRecord } from '../audit'

import type { GovernanceSettings } from './governance-settings'

/**
 * Who a principal id is. Permission records name their principal by Entra object id
 * (`targetuser.id`), so the directory learns object id → UPN from the actors of every record in
 * the cache (`UserKey`/`enduser.id` next to `UserId`), and remembers which actors the audit log
 * marked as guests (UserType 10).
 */

/** The guest UserType (reference/audit-events.md §5). */
const GUEST_USER_TYPE = 10

/** Who a permission reaches. */
export type Audience = 'organisation' | 'guest' | 'person'

/** Learns principal names from records; order-independent (conflicts resolve to the smaller name). */
export class PrincipalDirectory {
  private readonly names = new Map<string, string>()
  private readonly guests = new Set<string>()
  private readonly tenants = new Set<string>()

  /** Learns from one record (any record, connector or not); true when it learnt something new. */
  learn(record: NormalizedRecord): boolean {
    let isNew = false
    const upn = record.userId.trim()
    if (record.organizationId !== '') {
      const tenant = record.organizationId.toLowerCase()
      if (!this.tenants.has(tenant)) {
        this.tenants.add(tenant)
        isNew = true
      }
    }
    if (upn === '') {
      return isNew
    }
    const lowerUpn = upn.toLowerCase()
    for (const key of [record.userKey, record.fields['enduser.id'] ?? '']) {
      const k = key.trim().toLowerCase()
      if (k !== '' && k !== lowerUpn) {
        const known = this.names.get(k)
        if (known === undefined || upn < known) {
          this.names.set(k, upn)
          isNew = true
        }
      }
    }
    if (record.userType === GUEST_USER_TYPE && !this.guests.has(lowerUpn)) {
      this.guests.add(lowerUpn)
      isNew = true
    }
    return isNew
  }

  /** The UPN of a principal id, or the id itself when no record names it. */
  nameOf(principal: string): string {
    return this.names.get(principal.trim().toLowerCase()) ?? principal
  }

  /** True when the principal is one of the cache's tenants (a share with the whole tenant). */
  isTenant(principal: string): boolean {
    return this.tenants.has(principal.trim().toLowerCase())
  }

  /** True when an actor with this UPN was marked as a guest in some record. */
  isMarkedGuest(upn: string): boolean {
    return this.guests.has(upn.trim().toLowerCase())
  }

  /** Who a principal reaches, with the reason in words. */
  audienceOf(
    principal: string,
    settings: Pick<GovernanceSettings, 'organisationPrincipals' | 'tenantDomains'>
  ): { audience: Audience; reason: string } {
    const id = principal.trim()
    const lower = id.toLowerCase()
    if (settings.organisationPrincipals.some((p) => p.toLowerCase() === lower)) {
      return { audience: 'organisation', reason: `"${id}" means everyone in the organisation` }
    }
    if (this.isTenant(id)) {
      return { audience: 'organisation', reason: `${id} is the tenant itself` }
    }
    const name = this.nameOf(id)
    if (/#ext#/i.test(name)) {
      return { audience: 'guest', reason: `${name} is an external (#EXT#) account` }
    }
    if (this.isMarkedGuest(name)) {
      return { audience: 'guest', reason: `${name} acts as a guest (UserType 10) in the audit log` }
    }
    const at = name.lastIndexOf('@')
    if (at > 0 && settings.tenantDomains.length > 0) {
      const domain = name.slice(at + 1).toLowerCase()
      const isOwn = settings.tenantDomains.some((d) => {
        const own = d.toLowerCase()
        return domain === own || domain.endsWith(`.${own}`)
      })
      if (!isOwn) {
        return { audience: 'guest', reason: `${name} is outside the organisation's domains` }
      }
    }
    return { audience: 'person', reason: '' }
  }
}
