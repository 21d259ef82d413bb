/**
 * Destinations of "Send to…": an Azure Data Explorer table or a Log Analytics `_CL` table (a data
 * collection rule) the app pushes records into, with the connection whose sign-in gets the token.
 *
 * A destination decides where a token goes, so what the UI may enter is bounded: an ADX cluster
 * must be a Microsoft cluster host of the connection's cloud (or Fabric's), a Logs Ingestion
 * endpoint a Microsoft ingestion host. The demo's emulator URLs are set by main only
 * ({@link DestinationPlacement}), like a profile's endpoint overrides.
 */
import { z } from 'zod'

import { CLOUDS } from './clouds'
import type { CloudId } from './clouds'
import { Guid } from './profiles'

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/

const HttpsOrigin = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((v) => v.startsWith('https://'), { message: 'must be an https:// URL' })
  .refine(
    (v) => {
      const u = new URL(v)
      return u.username === '' && u.password === '' && u.search === '' && u.hash === ''
    },
    { message: 'must be a plain https:// URL (no user, query or fragment)' }
  )
  .transform((v) => v.replace(/\/+$/, ''))

/** An Azure Data Explorer table to push into. */
export const AdxTarget = z.object({
  /** `https://mycluster.westeurope.kusto.windows.net` (or a Fabric Eventhouse query URI). */
  cluster: HttpsOrigin,
  database: z.string().trim().regex(NAME, 'must be a database name (letters, digits, _)'),
  table: z.string().trim().regex(NAME, 'must be a table name (letters, digits, _)')
})
export type AdxTarget = z.infer<typeof AdxTarget>

/** A Log Analytics `_CL` table fed through a data collection rule (the Logs Ingestion API). */
export const LogAnalyticsTarget = z.object({
  /** The rule's logs ingestion endpoint (`https://<dce>.<region>.ingest.monitor.azure.com`). */
  endpoint: HttpsOrigin,
  /** The rule's immutable id (`dcr-…`). */
  ruleId: z
    .string()
    .trim()
    .regex(/^dcr-[0-9a-f]{32}$/i, 'must be a rule immutable id like dcr-0123…'),
  /** The custom table (`PowerPlatformAudit_CL`); the stream is `Custom-<table>`. */
  table: z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,95}_CL$/, 'must be a custom table name ending in _CL'),
  /** The workspace the rule writes to, counted back by query (Overview → Workspace ID). */
  workspaceId: Guid
})
export type LogAnalyticsTarget = z.infer<typeof LogAnalyticsTarget>

/** What the UI sends to create (no id) or update (with id) a destination. */
export const DestinationInput = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().min(1).max(64).optional(),
    kind: z.literal('adx'),
    displayName: z.string().trim().min(1).max(100),
    /** The connection whose sign-in gets the token (its cloud decides the hosts allowed). */
    profileId: z.string().min(1).max(64),
    adx: AdxTarget
  }),
  z.object({
    id: z.string().min(1).max(64).optional(),
    kind: z.literal('loganalytics'),
    displayName: z.string().trim().min(1).max(100),
    profileId: z.string().min(1).max(64),
    loganalytics: LogAnalyticsTarget
  })
])
export type DestinationInput = z.infer<typeof DestinationInput>

/** Set by main only: the demo's destinations point at its emulator. */
export const DestinationPlacement = z.object({
  isDemo: z.boolean().optional(),
  /** The Log Analytics query API base for the count-back (the demo's emulator). */
  logAnalyticsBase: HttpsOrigin.optional()
})
export type DestinationPlacement = z.infer<typeof DestinationPlacement>

/** A saved destination. */
export const Destination = z.intersection(
  DestinationInput,
  z.object({ id: z.string().min(1).max(64) }).extend(DestinationPlacement.shape)
)
export type Destination = z.infer<typeof Destination>

/** Microsoft Fabric Eventhouse query URIs (the same Kusto REST API). */
const FABRIC_KUSTO_SUFFIX = '.kusto.fabric.microsoft.com'
/** Logs Ingestion endpoints (data collection endpoints and rules) per cloud. */
const INGESTION_SUFFIX: Record<CloudId, string> = {
  commercial: '.ingest.monitor.azure.com',
  gcc: '.ingest.monitor.azure.com',
  'gcc-high': '.ingest.monitor.azure.us',
  dod: '.ingest.monitor.azure.us'
}

/**
 * Why a cluster URL entered in the UI may not get a token of a connection of `cloud`, or
 * undefined: it must be an Azure Data Explorer host of that cloud or a Fabric Eventhouse.
 */
export function adxClusterHostProblem(cluster: string, cloud: CloudId): string | undefined {
  const host = new URL(cluster).hostname.toLowerCase()
  const suffix = CLOUDS[cloud].adxClusterSuffix
  return host.endsWith(suffix) || host.endsWith(FABRIC_KUSTO_SUFFIX)
    ? undefined
    : `the cluster must be an Azure Data Explorer host of the connection's cloud (…${suffix}) or a Fabric Eventhouse (…${FABRIC_KUSTO_SUFFIX}); the token is sent to it`
}

/**
 * Why the UI may not save `input` for a connection of `cloud` (a token would go to a host that is
 * not Microsoft's for that cloud), or undefined. The demo's emulator destinations skip this: main
 * sets them.
 */
export function destinationHostProblem(
  input: DestinationInput,
  cloud: CloudId
): string | undefined {
  if (input.kind === 'adx') {
    return adxClusterHostProblem(input.adx.cluster, cloud)
  }
  const host = new URL(input.loganalytics.endpoint).hostname.toLowerCase()
  const suffix = INGESTION_SUFFIX[cloud]
  return host.endsWith(suffix)
    ? undefined
    : `the endpoint must be a Logs Ingestion endpoint of the connection's cloud (…${suffix}); the token is sent to it`
}

/** Where a destination sends, in words: `https://c.kusto.windows.net AuditHistory.ConnectorAudit`. */
export function destinationTarget(d: DestinationInput): string {
  return d.kind === 'adx'
    ? `${d.adx.cluster} ${d.adx.database}.${d.adx.table}`
    : `${d.loganalytics.endpoint} ${d.loganalytics.ruleId} ${d.loganalytics.table}`
}

/** What a send covers: the Explorer's current view, or the whole cache. */
export const SendScope = z.enum(['view', 'cache'])
export type SendScope = z.infer<typeof SendScope>

/** The end of a send, part by part and record by record. */
export const SendSummary = z.object({
  destination: z.string(),
  target: z.string(),
  /** `complete`: every part verified; `partial`: some part did not verify (send again). */
  status: z.enum(['complete', 'partial']),
  records: z.number().int().min(0),
  parts: z.number().int().min(0),
  /** Records (and parts) sent and counted back in this run. */
  sentRecords: z.number().int().min(0),
  sentParts: z.number().int().min(0),
  /** Records (and parts) the journal or a count showed were already there: not sent again. */
  alreadyThereRecords: z.number().int().min(0),
  alreadyThereParts: z.number().int().min(0),
  /** Records (and parts) whose count did not match. */
  failedRecords: z.number().int().min(0),
  failedParts: z.number().int().min(0),
  failures: z.array(z.string()).max(200),
  throttled: z.number().int().min(0),
  /** Whether an earlier, interrupted send of the same records was resumed. */
  isResumed: z.boolean(),
  /** The fingerprint of the verified snapshot the records were pushed from. */
  fingerprint: z.string()
})
export type SendSummary = z.infer<typeof SendSummary>

/** Progress of a send (main → window). */
export const SendProgress = z.object({
  sendId: z.string(),
  phase: z.enum(['verifying', 'pushing']),
  records: z.number().int().min(0),
  recordsDone: z.number().int().min(0),
  partsDone: z.number().int().min(0),
  throttled: z.number().int().min(0),
  line: z.string().max(500)
})
export type SendProgress = z.infer<typeof SendProgress>
