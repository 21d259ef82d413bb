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
  /** Management Activity API base URL: `https://manage.office.com`. */
  managementApiBase: string
  /** The Management API's token resource (audience). Equals the base in real clouds; kept apart
   * so the emulator can serve on loopback while tokens keep their real audience. */
  managementResource: string
  /** Microsoft Graph base URL: `https://graph.microsoft.com`. */
  graphBase: string
  /** Graph's token resource (audience). */
  graphResource: string
  /** Whether the Graph audit log query API is documented for this cloud. */
  hasGraphAuditQuery: boolean
  /** Azure Monitor Logs (Log Analytics) query API base: `https://api.loganalytics.azure.com`
   * (the direct URL the request-format reference documents; Azure Government: `.us`). */
  logAnalyticsBase: string
  /** The Log Analytics query API's token resource (audience): `https://api.loganalytics.io`. */
  logAnalyticsResource: string
  /** The Logs Ingestion API's token resource (audience): `https://monitor.azure.com`. The
   * ingestion endpoint itself (a data collection endpoint or the DCR's own) is per rule and
   * comes from the admin, never from this table. */
  logsIngestionResource: string
  /** The host suffix of Azure Data Explorer clusters in this cloud (`.kusto.windows.net`;
   * Azure Government `.kusto.usgovcloudapi.net`). A cluster's token audience is its own URL. */
  adxClusterSuffix: string
}

/** The cloud table. Client IDs differ per cloud: app registrations do not cross clouds. */
export const CLOUDS: Readonly<Record<CloudId, CloudProfile>> = {
  commercial: {
    id: 'commercial',
    label: 'Commercial',
    authorityHost: 'https://login.microsoftonline.com',
    managementApiBase: 'https://manage.office.com',
    managementResource: 'https://manage.office.com',
    graphBase: 'https://graph.microsoft.com',
    graphResource: 'https://graph.microsoft.com',
    hasGraphAuditQuery: true,
    logAnalyticsBase: 'https://api.loganalytics.azure.com',
    logAnalyticsResource: 'https://api.loganalytics.io',
    logsIngestionResource: 'https://monitor.azure.com',
    adxClusterSuffix: '.kusto.windows.net'
  },
  gcc: {
    id: 'gcc',
    label: 'GCC',
    authorityHost: 'https://login.microsoftonline.com',
    managementApiBase: 'https://manage-gcc.office.com',
    managementResource: 'https://manage-gcc.office.com',
    graphBase: 'https://graph.microsoft.com',
    graphResource: 'https://graph.microsoft.com',
    hasGraphAuditQuery: false,
    logAnalyticsBase: 'https://api.loganalytics.azure.com',
    logAnalyticsResource: 'https://api.loganalytics.io',
    logsIngestionResource: 'https://monitor.azure.com',
    adxClusterSuffix: '.kusto.windows.net'
  },
  'gcc-high': {
    id: 'gcc-high',
    label: 'GCC High',
    authorityHost: 'https://login.microsoftonline.us',
    managementApiBase: 'https://manage.office365.us',
    managementResource: 'https://manage.office365.us',
    graphBase: 'https://graph.microsoft.us',
    graphResource: 'https://graph.microsoft.us',
    hasGraphAuditQuery: false,
    logAnalyticsBase: 'https://api.loganalytics.us',
    logAnalyticsResource: 'https://api.loganalytics.us',
    logsIngestionResource: 'https://monitor.azure.us',
    adxClusterSuffix: '.kusto.usgovcloudapi.net'
  },
  dod: {
    id: 'dod',
    label: 'DoD',
    authorityHost: 'https://login.microsoftonline.us',
    managementApiBase: 'https://manage.protection.apps.mil',
    managementResource: 'https://manage.protection.apps.mil',
    graphBase: 'https://dod-graph.microsoft.us',
    graphResource: 'https://dod-graph.microsoft.us',
    hasGraphAuditQuery: false,
    logAnalyticsBase: 'https://api.loganalytics.us',
    logAnalyticsResource: 'https://api.loganalytics.us',
    logsIngestionResource: 'https://monitor.azure.us',
    adxClusterSuffix: '.kusto.usgovcloudapi.net'
  }
}

/** The delegated scope for the Management Activity API of a cloud. */
export function managementScope(cloud: Pick<CloudProfile, 'managementResource'>): string {
  return `${cloud.managementResource}/ActivityFeed.Read`
}

/** The delegated scope for the Graph audit log query API of a cloud. */
export function graphAuditScope(cloud: Pick<CloudProfile, 'graphResource'>): string {
  return `${cloud.graphResource}/AuditLogsQuery.Read.All`
}

/** The delegated scope for the Log Analytics query API of a cloud (app-only uses `/.default`). */
export function logAnalyticsScope(cloud: Pick<CloudProfile, 'logAnalyticsResource'>): string {
  return `${cloud.logAnalyticsResource}/Data.Read`
}

/**
 * The app-only scope for the Logs Ingestion API of a cloud. The double slash is deliberate: the
 * resource's identifier ends with a slash, and the Azure Monitor docs and SDKs ask for
 * `https://monitor.azure.com//.default`.
 */
export function logsIngestionScope(cloud: Pick<CloudProfile, 'logsIngestionResource'>): string {
  return `${cloud.logsIngestionResource}//.default`
}

/**
 * The token audience (resource) of an Azure Data Explorer cluster: the cluster URL's origin
 * (`https://mycluster.westeurope.kusto.windows.net`). App-only sign-in asks for
 * `${resource}/.default`; delegated sign-in for `${resource}/user_impersonation`.
 */
export function adxResource(clusterUrl: string): string {
  return new URL(clusterUrl).origin
}

/** The delegated scope for an Azure Data Explorer cluster. */
export function adxScope(clusterUrl: string): string {
  return `${adxResource(clusterUrl)}/user_impersonation`
}

/**
 * Why a cluster URL looks wrong for a cloud, or undefined: an Azure Data Explorer host of another
 * cloud's suffix (a `.kusto.windows.net` cluster with `--cloud gcc-high`, say) gets no token from
 * that cloud's sign-in. Other hosts (Fabric Eventhouse, private links, the emulator) pass.
 */
export function adxClusterCloudMismatch(
  clusterUrl: string,
  cloud: CloudProfile
): string | undefined {
  const host = new URL(clusterUrl).hostname.toLowerCase()
  if (host.endsWith(cloud.adxClusterSuffix)) {
    return undefined
  }
  const other = Object.values(CLOUDS).find((c) => host.endsWith(c.adxClusterSuffix))
  return other
    ? `${host} is an Azure Data Explorer cluster of the ${other.label} cloud, but the sign-in is for ${cloud.label} (--cloud)`
    : undefined
}
