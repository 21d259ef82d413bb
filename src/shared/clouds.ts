/**
 * The Microsoft clouds the app can talk to, with every host, authority and scope it uses.
 *
 * This is the only file that names Microsoft endpoints (lint enforces it, STYLE.md rule 16);
 * tests and demo mode replace a profile's endpoints with the local emulator's.
 * Sources: reference/auth.md §13, reference/management-api.md §2.1.
 */

/** A cloud's identifier, as stored in profiles. */
export type CloudId = 'commercial' | 'gcc' | 'gcc-high' | 'dod'

/** Everything that differs between clouds. */
export interface CloudProfile {
  id: CloudId
  label: string
  /** Entra ID login host base, without a tenant: `https://login.microsoftonline.com`. */
  authorityHost: string
  /** Management Activity API base, also its token audience: `https://manage.office.com`. */
  managementApiBase: string
  /** Microsoft Graph base: `https://graph.microsoft.com`. */
  graphBase: string
  /** Whether the Graph audit log query API is documented for this cloud. */
  hasGraphAuditQuery: boolean
}

/** The cloud table. Client IDs differ per cloud: app registrations do not cross clouds. */
export const CLOUDS: Readonly<Record<CloudId, CloudProfile>> = {
  commercial: {
    id: 'commercial',
    label: 'Commercial',
    authorityHost: 'https://login.microsoftonline.com',
    managementApiBase: 'https://manage.office.com',
    graphBase: 'https://graph.microsoft.com',
    hasGraphAuditQuery: true
  },
  gcc: {
    id: 'gcc',
    label: 'GCC',
    authorityHost: 'https://login.microsoftonline.com',
    managementApiBase: 'https://manage-gcc.office.com',
    graphBase: 'https://graph.microsoft.com',
    hasGraphAuditQuery: false
  },
  'gcc-high': {
    id: 'gcc-high',
    label: 'GCC High',
    authorityHost: 'https://login.microsoftonline.us',
    managementApiBase: 'https://manage.office365.us',
    graphBase: 'https://graph.microsoft.us',
    hasGraphAuditQuery: false
  },
  dod: {
    id: 'dod',
    label: 'DoD',
    authorityHost: 'https://login.microsoftonline.us',
    managementApiBase: 'https://manage.protection.apps.mil',
    graphBase: 'https://dod-graph.microsoft.us',
    hasGraphAuditQuery: false
  }
}

/** The delegated scope for the Management Activity API of a cloud. */
export function managementScope(cloud: Pick<CloudProfile, 'managementApiBase'>): string {
  return `${cloud.managementApiBase}/ActivityFeed.Read`
}

/** The delegated scope for the Graph audit log query API of a cloud. */
export function graphAuditScope(cloud: Pick<CloudProfile, 'graphBase'>): string {
  return `${cloud.graphBase}/AuditLogsQuery.Read.All`
}
