/**
 * Connection profiles: which tenant, which app registration, which cloud, how to sign in.
 * Profiles hold no secrets; tokens live only in the main process (reference/auth.md).
 */
import { z } from 'zod'

import type { CloudId } from './clouds'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DOMAIN = /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

/** A GUID in its usual 8-4-4-4-12 form. */
export const Guid = z
  .string()
  .trim()
  .regex(GUID, 'must be a GUID like 00000000-0000-0000-0000-000000000000')

/** A tenant: its GUID or one of its verified domains (contoso.onmicrosoft.com). */
export const TenantRef = z
  .string()
  .trim()
  .refine((v) => GUID.test(v) || DOMAIN.test(v), {
    message: 'must be a tenant ID (GUID) or a domain such as contoso.onmicrosoft.com'
  })

export const CLOUD_IDS = [
  'commercial',
  'gcc',
  'gcc-high',
  'dod'
] as const satisfies readonly CloudId[]

/** How a person signs in with this profile in the app. */
export const SignInMode = z.enum(['interactive', 'device-code'])
export type SignInMode = z.infer<typeof SignInMode>

const HttpsUrl = z
  .string()
  .url()
  .refine((v) => v.startsWith('https://'), { message: 'must be an https:// URL' })
  .transform((v) => v.replace(/\/+$/, ''))

/**
 * Endpoint overrides: for the local emulator and tests (`--authority-host`, `--api-base`). Real
 * profiles leave them out and get every endpoint from the cloud table. Only main sets them (the
 * demo tenant); they are not part of {@link ProfileInput}, since they decide where tokens go.
 */
export const EndpointOverrides = z.object({
  authorityHost: HttpsUrl,
  managementApiBase: HttpsUrl,
  graphBase: HttpsUrl,
  /** The Log Analytics query API base (the demo's emulator), for workspace profiles. */
  logAnalyticsBase: HttpsUrl.optional()
})
export type EndpointOverrides = z.infer<typeof EndpointOverrides>

/**
 * What a profile reads: a tenant's audit APIs (Management Activity API, Graph audit query), or a
 * Log Analytics (Microsoft Sentinel) workspace the tenant's connectors fill. Absent means tenant.
 */
export const ProfileKind = z.enum(['tenant', 'workspace', 'adx'])
export type ProfileKind = z.infer<typeof ProfileKind>

/** A Log Analytics table name (`PowerPlatformAdminActivity`, `OfficeActivity`). */
export const WorkspaceTable = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'must be a table name (letters, digits, _)')

/** The Sentinel tables the Office 365 connector fills with Power Platform activity. */
export const DEFAULT_WORKSPACE_TABLES = [
  'PowerPlatformAdminActivity',
  'PowerAutomateActivity',
  'PowerAppsActivity'
] as const

/** A workspace profile's workspace: its id (Overview > Workspace ID) and the tables to read. */
export const WorkspaceSettings = z.object({
  workspaceId: Guid,
  tables: z.array(WorkspaceTable).min(1, 'name at least one table').max(20)
})
export type WorkspaceSettings = z.infer<typeof WorkspaceSettings>

const KUSTO_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/

/**
 * An Azure Data Explorer profile's table: the cluster (or Fabric Eventhouse query URI), the
 * database and the table to read — e.g. the one `cax push adx` or "Send to…" fills. The cluster
 * decides where the profile's token goes: from the UI it must be a Microsoft cluster host of the
 * profile's cloud (ProfilesService checks; the demo's emulator cluster is set by main).
 */
export const AdxSourceSettings = z.object({
  cluster: HttpsUrl.refine(
    (v) => {
      const u = new URL(v)
      return u.username === '' && u.password === '' && u.search === '' && u.hash === ''
    },
    { message: 'must be a plain https:// URL (no user, query or fragment)' }
  ),
  database: z.string().trim().regex(KUSTO_NAME, 'must be a database name (letters, digits, _)'),
  table: z.string().trim().regex(KUSTO_NAME, 'must be a table name (letters, digits, _)')
})
export type AdxSourceSettings = z.infer<typeof AdxSourceSettings>

/** A saved profile. */
export const Profile = z.object({
  /** What the profile reads (absent: a tenant). */
  kind: ProfileKind.optional(),
  /** The workspace, for `kind: 'workspace'`. */
  workspace: WorkspaceSettings.optional(),
  /** The Azure Data Explorer table, for `kind: 'adx'`. */
  adx: AdxSourceSettings.optional(),
  id: z.string().min(1).max(64),
  displayName: z.string().trim().min(1).max(100),
  tenant: TenantRef,
  clientId: Guid,
  cloud: z.enum(CLOUD_IDS),
  signInMode: SignInMode,
  /** Sent as PublisherIdentifier on every Management API call; defaults to the tenant ID. */
  publisherIdentifier: Guid.optional(),
  /** The account chosen at sign-in (MSAL homeAccountId); not a secret. */
  accountHomeId: z.string().max(300).optional(),
  endpoints: EndpointOverrides.optional(),
  /** True for the built-in demo tenant (the local emulator). */
  isDemo: z.boolean().optional()
})
export type Profile = z.infer<typeof Profile>

/**
 * What the UI sends to create (no id) or update (with id) a profile. Where tokens go is not in
 * it: `endpoints` and `isDemo` are set by main only, and the contract refuses them (issue 10).
 */
export const ProfileInput = Profile.omit({
  id: true,
  accountHomeId: true,
  endpoints: true,
  isDemo: true
})
  .extend({
    id: Profile.shape.id.optional()
  })
  .refine((p) => p.kind !== 'workspace' || p.workspace !== undefined, {
    message: 'a workspace connection needs the workspace ID and tables',
    path: ['workspace']
  })
  .refine((p) => p.kind !== 'adx' || p.adx !== undefined, {
    message: 'an Azure Data Explorer connection needs the cluster, database and table',
    path: ['adx']
  })
export type ProfileInput = z.infer<typeof ProfileInput>

/** Where a profile's tokens go, set by main only: endpoint overrides and the demo flag. */
export interface ProfilePlacement {
  endpoints?: EndpointOverrides
  isDemo?: boolean
}

/**
 * Whether saving `next` over `before` changes where the profile's tokens come from or go: its
 * tenant, app registration, cloud or endpoints. Such a change signs the profile out.
 */
export function movesTokens(
  before: Pick<Profile, 'tenant' | 'clientId' | 'cloud' | 'endpoints' | 'adx'>,
  next: Pick<Profile, 'tenant' | 'clientId' | 'cloud' | 'endpoints' | 'adx'>
): boolean {
  const endpoints = (p: Pick<Profile, 'endpoints'>): string =>
    p.endpoints
      ? [
          p.endpoints.authorityHost,
          p.endpoints.managementApiBase,
          p.endpoints.graphBase,
          p.endpoints.logAnalyticsBase ?? ''
        ].join(' ')
      : ''
  return (
    before.tenant.toLowerCase() !== next.tenant.toLowerCase() ||
    before.clientId.toLowerCase() !== next.clientId.toLowerCase() ||
    before.cloud !== next.cloud ||
    endpoints(before) !== endpoints(next) ||
    (before.adx?.cluster ?? '').toLowerCase() !== (next.adx?.cluster ?? '').toLowerCase()
  )
}

/** Whether a profile reads an Azure Data Explorer table (and which). */
export function adxSourceOf(profile: Pick<Profile, 'kind' | 'adx'>): AdxSourceSettings | undefined {
  return profile.kind === 'adx' ? profile.adx : undefined
}

/** Whether a profile reads a Log Analytics workspace (and which). */
export function workspaceOf(
  profile: Pick<Profile, 'kind' | 'workspace'>
): WorkspaceSettings | undefined {
  return profile.kind === 'workspace' ? profile.workspace : undefined
}

/** Where a profile's tokens are kept. */
export const TokenStorage = z.enum(['keychain', 'memory'])
export type TokenStorage = z.infer<typeof TokenStorage>

/** The signed-in state of one profile, as the UI sees it: never a token. */
export const AuthState = z.object({
  profileId: z.string(),
  status: z.enum(['signed-out', 'signing-in', 'signed-in']),
  account: z
    .object({ username: z.string(), name: z.string().optional(), tenantId: z.string() })
    .nullable(),
  tokenStorage: TokenStorage,
  error: z.object({ code: z.string(), message: z.string() }).nullable()
})
export type AuthState = z.infer<typeof AuthState>

/** Shown while a device-code sign-in waits for the person to enter the code. */
export const DeviceCodePrompt = z.object({
  profileId: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  message: z.string(),
  expiresAt: z.string()
})
export type DeviceCodePrompt = z.infer<typeof DeviceCodePrompt>

/** One step of "Test connection". */
export const ConnectionCheckStep = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  code: z.string().optional(),
  fix: z.string().optional()
})
export const ConnectionCheck = z.object({
  profileId: z.string(),
  ok: z.boolean(),
  steps: z.array(ConnectionCheckStep)
})
export type ConnectionCheck = z.infer<typeof ConnectionCheck>
