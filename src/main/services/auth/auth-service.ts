/**
 * Sign-in with MSAL in the main process: interactive (system browser, loopback redirect, PKCE) with
 * a deadline and a real Cancel, device code as the fallback, silent renewal, sign-out, several
 * profiles side by side. Tokens never leave this service except to the audit API clients in main;
 * the UI only ever receives {@link AuthState} (reference/auth.md).
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'

import {
  LogLevel,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type DeviceCodeRequest
} from '@azure/msal-node'

import {
  CLOUDS,
  adxScope,
  graphAuditScope,
  logAnalyticsScope,
  managementScope
} from '../../../shared/clouds'
import { adxSourceOf, workspaceOf } from '../../../shared/profiles'
import type {
  AuthState,
  DeviceCodePrompt,
  Profile,
  SignInMode,
  TokenStorage
} from '../../../shared/profiles'
import type { HttpsClient } from '../http/https-client'
import type { Logger } from '../logging/logger'
import type { ProfilesService } from '../profiles/profiles-service'

import { SecretStoreUnavailableError, type SecretStore } from './secret-store'

import { authError, toAuthError } from './auth-errors'
import { CACHE_KEY_NAME, EncryptedTokenCache } from './encrypted-token-cache'
import { MsalNetworkClient } from './msal-network-client'

/** Opens a URL in the system browser (Electron `shell.openExternal`, or `xdg-open`). */
export interface ExternalOpener {
  open(url: string): Promise<void>
}

/** The resolved endpoints and token resources of a profile. */
export interface ProfileEndpoints {
  authorityHost: string
  managementApiBase: string
  managementResource: string
  graphBase: string
  graphResource: string
  hasGraphAuditQuery: boolean
}

/** Which API a token is for. */
/** The APIs a profile's tokens are for (`loganalytics`: the Log Analytics query API). */
export type TokenResource = 'management' | 'graph' | 'loganalytics'

/** An access token for main-process API clients only. Never sent to the UI or logged. */
export interface AccessToken {
  token: string
  expiresOn: Date | null
  tenantId: string
}

export interface AuthServiceDeps {
  profiles: ProfilesService
  secrets: SecretStore
  opener: ExternalOpener
  http: HttpsClient
  dataDir: string
  log: Logger
  /** How long an interactive sign-in may wait for the browser (default 5 minutes). */
  interactiveTimeoutMs?: number
  onDidChange: (state: AuthState) => void
  onDeviceCode: (prompt: DeviceCodePrompt) => void
}

const SUCCESS_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Signed in</title><body style="font-family:system-ui;margin:3rem">' +
  '<h1>You are signed in to Connector Audit Explorer</h1><p>You can close this tab and return to the app.</p>'
const ERROR_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Sign-in failed</title><body style="font-family:system-ui;margin:3rem">' +
  '<h1>The sign-in did not complete</h1><p>Return to Connector Audit Explorer for details.</p>'

/** Every endpoint of a profile: the cloud table, or its overrides (emulator, tests). */
/** The Log Analytics query API base of a profile: the demo's emulator, or the cloud table's. */
export function logAnalyticsBaseFor(profile: Profile): string {
  return profile.endpoints?.logAnalyticsBase ?? CLOUDS[profile.cloud].logAnalyticsBase
}

export function endpointsFor(profile: Profile): ProfileEndpoints {
  const cloud = CLOUDS[profile.cloud]
  return {
    authorityHost: profile.endpoints?.authorityHost ?? cloud.authorityHost,
    managementApiBase: profile.endpoints?.managementApiBase ?? cloud.managementApiBase,
    managementResource: cloud.managementResource,
    graphBase: profile.endpoints?.graphBase ?? cloud.graphBase,
    graphResource: cloud.graphResource,
    hasGraphAuditQuery: cloud.hasGraphAuditQuery
  }
}

const BUILT_IN_AUTHORITY_HOSTS = new Set(
  Object.values(CLOUDS).map((c) => new URL(c.authorityHost).host)
)

/** True for login hosts MSAL has metadata for; others (the emulator) must be named as known. */
export function isBuiltInAuthorityHost(host: string): boolean {
  return BUILT_IN_AUTHORITY_HOSTS.has(host)
}

interface ClientEntry {
  pca: PublicClientApplication
  cache: EncryptedTokenCache | undefined
}

interface InFlight {
  profileId: string
  cancel: (reason: 'user_cancelled' | 'cax_timeout') => Promise<void>
}

/** The sign-in service; one per app. */
export class AuthService {
  private readonly clients = new Map<string, ClientEntry>()
  private readonly states = new Map<string, AuthState>()
  private storage: TokenStorage = 'keychain'
  private inFlight: InFlight | undefined

  constructor(private readonly deps: AuthServiceDeps) {}

  /** Where tokens are kept now. */
  get tokenStorage(): TokenStorage {
    return this.storage
  }

  /** The state of every profile, checking the token cache for accounts from earlier sessions. */
  async listStates(): Promise<AuthState[]> {
    const profiles = await this.deps.profiles.list()
    return Promise.all(profiles.map((p) => this.getState(p.id)))
  }

  /** The state of one profile. */
  async getState(profileId: string): Promise<AuthState> {
    const known = this.states.get(profileId)
    if (known && known.status === 'signing-in') {
      return known
    }
    const profile = await this.deps.profiles.get(profileId)
    const account = await this.findAccount(profile).catch(() => undefined)
    return this.setState(
      profile,
      {
        status: account ? 'signed-in' : 'signed-out',
        account: account ? describeAccount(account) : null,
        error: known?.error ?? null
      },
      false
    )
  }

  /**
   * Keeps tokens in memory only from now on (the user's choice when no keychain is available):
   * nothing is written to disk, and every app start asks for a sign-in.
   */
  useMemoryStorage(): void {
    this.storage = 'memory'
    // Drop the keychain-backed clients; the demo's in-memory ones keep their sign-in.
    for (const [key, entry] of this.clients) {
      if (entry.cache) {
        this.clients.delete(key)
      }
    }
    // Every keychain-backed profile now keeps tokens in memory; a keychain error is resolved.
    for (const [profileId, state] of this.states) {
      if (state.tokenStorage === 'keychain') {
        const error = state.error?.code === 'auth/keychain-unavailable' ? null : state.error
        // Memory starts empty: a keychain-backed sign-in does not carry over.
        const next: AuthState = {
          ...state,
          status: state.status === 'signing-in' ? state.status : 'signed-out',
          account: state.status === 'signing-in' ? state.account : null,
          tokenStorage: 'memory',
          error
        }
        this.states.set(profileId, next)
        this.deps.onDidChange(next)
      }
    }
    this.deps.log.warn('[auth] tokens are kept in memory only for this session')
  }

  /** Signs a profile in; resolves with the signed-in state or rejects with an {@link AppError}. */
  async signIn(
    profileId: string,
    options: { mode?: SignInMode; loginHint?: string } = {}
  ): Promise<AuthState> {
    if (this.inFlight) {
      throw authError('auth/busy', 'Another sign-in is in progress.')
    }
    const profile = await this.deps.profiles.get(profileId)
    const mode = options.mode ?? profile.signInMode
    const inFlight: InFlight = { profileId, cancel: async () => undefined }
    this.inFlight = inFlight
    try {
      await this.checkKeychain(profile)
      this.setState(profile, { status: 'signing-in', account: null, error: null })
      const { pca } = this.client(profile)
      const endpoints = endpointsFor(profile)
      // A workspace profile reads only the workspace: the sign-in asks for the Log Analytics
      // API's delegated Data.Read, not for the audit APIs it never calls.
      // An Azure Data Explorer profile asks for its cluster's user_impersonation only.
      const adx = adxSourceOf(profile)
      const scopes = workspaceOf(profile)
        ? [logAnalyticsScope(CLOUDS[profile.cloud])]
        : adx
          ? [adxScope(adx.cluster)]
          : [managementScope(endpoints)]
      const extraScopes =
        !workspaceOf(profile) && !adx && endpoints.hasGraphAuditQuery
          ? [graphAuditScope(endpoints)]
          : []
      const result =
        mode === 'device-code'
          ? await this.deviceCode(pca, profile, scopes, inFlight)
          : await this.interactive(pca, scopes, extraScopes, options.loginHint, inFlight)
      if (!result.account) {
        throw authError('auth/failed', 'The sign-in returned no account.')
      }
      await this.deps.profiles.setAccount(profileId, result.account.homeAccountId)
      this.deps.log.info(`[auth] profile ${profileId} signed in`)
      return this.setState(profile, {
        status: 'signed-in',
        account: describeAccount(result.account),
        error: null
      })
    } catch (error) {
      const appError = toAuthError(error)
      this.deps.log.warn(`[auth] sign-in for profile ${profileId} failed: ${appError.code}`)
      this.setState(profile, {
        status: 'signed-out',
        account: null,
        error: { code: appError.code, message: appError.message }
      })
      throw appError
    } finally {
      this.inFlight = undefined
    }
  }

  /** Stops a sign-in in progress for the profile; its promise rejects with `auth/cancelled`. */
  async cancelSignIn(profileId: string): Promise<boolean> {
    if (!this.inFlight || this.inFlight.profileId !== profileId) {
      return false
    }
    await this.inFlight.cancel('user_cancelled')
    return true
  }

  /** Removes the profile's account and its tokens from the cache (local sign-out). */
  async signOut(profileId: string): Promise<AuthState> {
    const profile = await this.deps.profiles.get(profileId)
    const account = await this.findAccount(profile).catch(() => undefined)
    if (account) {
      await this.client(profile).pca.signOut({ account })
    }
    await this.deps.profiles.setAccount(profileId, undefined)
    this.deps.log.info(`[auth] profile ${profileId} signed out`)
    return this.setState(profile, { status: 'signed-out', account: null, error: null })
  }

  /** The profile and its signed-in account, or auth/interaction-required. */
  private async signedIn(profileId: string): Promise<{ profile: Profile; account: AccountInfo }> {
    const profile = await this.deps.profiles.get(profileId)
    const account = await this.findAccount(profile).catch((error: unknown) => {
      throw error instanceof SecretStoreUnavailableError ? toAuthError(error) : error
    })
    if (!account) {
      throw authError('auth/interaction-required', 'This profile is not signed in.')
    }
    return { profile, account }
  }

  /**
   * An access token for the Management API or Graph, renewed silently. For main-process API
   * clients only: it must never be returned over the contract or logged.
   */
  async getAccessToken(
    profileId: string,
    resource: TokenResource,
    forceRefresh = false
  ): Promise<AccessToken> {
    const { profile, account } = await this.signedIn(profileId)
    const endpoints = endpointsFor(profile)
    const scope =
      resource === 'management'
        ? managementScope(endpoints)
        : resource === 'loganalytics'
          ? logAnalyticsScope(CLOUDS[profile.cloud])
          : graphAuditScope(endpoints)
    return this.acquireSilently(profile, account, scope, forceRefresh, true)
  }

  /**
   * An access token for another resource the profile's account may use — an Azure Data Explorer
   * cluster (`<cluster>/user_impersonation`), the Logs Ingestion API — renewed silently from the
   * profile's sign-in. For main-process clients only; the caller sends it only to the configured
   * destination (token-destination.ts).
   */
  async getScopeToken(
    profileId: string,
    scope: string,
    forceRefresh = false
  ): Promise<AccessToken> {
    const { profile, account } = await this.signedIn(profileId)
    // A resource the account has no consent for must not sign the profile out of its own APIs.
    return this.acquireSilently(profile, account, scope, forceRefresh, false)
  }

  private async acquireSilently(
    profile: Profile,
    account: AccountInfo,
    scope: string,
    forceRefresh: boolean,
    isProfileScope: boolean
  ): Promise<AccessToken> {
    const endpoints = endpointsFor(profile)
    try {
      const result = await this.client(profile).pca.acquireTokenSilent({
        account,
        scopes: [scope],
        authority: `${endpoints.authorityHost}/${account.tenantId || profile.tenant}`,
        forceRefresh
      })
      return { token: result.accessToken, expiresOn: result.expiresOn, tenantId: result.tenantId }
    } catch (error) {
      const appError = toAuthError(error)
      if (isProfileScope && appError.code === 'auth/interaction-required') {
        this.setState(profile, {
          status: 'signed-out',
          account: null,
          error: { code: appError.code, message: appError.message }
        })
      }
      throw appError
    }
  }

  private async interactive(
    pca: PublicClientApplication,
    scopes: string[],
    extraScopesToConsent: string[],
    loginHint: string | undefined,
    inFlight: InFlight
  ): Promise<AuthenticationResult> {
    let authorizeUrl: URL | undefined
    let isSettled = false
    // msal-node 7 has no cancel or timeout: post an error to its own loopback server, which makes
    // it reject and free the port (reference/auth.md §3.3).
    inFlight.cancel = async (reason) => {
      if (!authorizeUrl || isSettled) {
        return
      }
      const loopback = new URL(authorizeUrl.searchParams.get('redirect_uri') ?? 'http://127.0.0.1/')
      loopback.hostname = '127.0.0.1' // MSAL's server listens on IPv4 only
      await this.deps.http
        .send({
          method: 'POST',
          url: loopback.href,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            error: reason,
            error_description: reason,
            state: authorizeUrl.searchParams.get('state') ?? ''
          }).toString(),
          timeoutMs: 5_000
        })
        .catch(() => undefined)
    }
    const timer = setTimeout(
      () => void inFlight.cancel('cax_timeout'),
      this.deps.interactiveTimeoutMs ?? 300_000
    )
    try {
      return await pca.acquireTokenInteractive({
        scopes,
        extraScopesToConsent,
        // Entra refuses an account hint with prompt=select_account, and MSAL drops the hint then:
        // offer the account picker only when no account was named.
        ...(loginHint ? { loginHint } : { prompt: 'select_account' }),
        successTemplate: SUCCESS_PAGE,
        errorTemplate: ERROR_PAGE,
        openBrowser: async (url) => {
          authorizeUrl = new URL(url)
          await this.deps.opener.open(url)
        }
      })
    } finally {
      isSettled = true
      clearTimeout(timer)
    }
  }

  private async deviceCode(
    pca: PublicClientApplication,
    profile: Profile,
    scopes: string[],
    inFlight: InFlight
  ): Promise<AuthenticationResult> {
    const request: DeviceCodeRequest = {
      scopes,
      timeout: 900,
      deviceCodeCallback: (r) => {
        this.deps.onDeviceCode({
          profileId: profile.id,
          userCode: r.userCode,
          verificationUri: r.verificationUri,
          message: r.message,
          expiresAt: new Date(Date.now() + r.expiresIn * 1000).toISOString()
        })
      }
    }
    inFlight.cancel = async () => {
      request.cancel = true
    }
    const result = await pca.acquireTokenByDeviceCode(request)
    if (!result) {
      throw authError('auth/cancelled', 'The device-code sign-in was cancelled.')
    }
    return result
  }

  private async checkKeychain(profile: Profile): Promise<void> {
    if (this.storageFor(profile) !== 'keychain') {
      return
    }
    try {
      await this.deps.secrets.get(CACHE_KEY_NAME)
    } catch (error) {
      throw error instanceof SecretStoreUnavailableError ? toAuthError(error) : error
    }
  }

  private async findAccount(profile: Profile): Promise<AccountInfo | undefined> {
    if (!profile.accountHomeId) {
      return undefined
    }
    const accounts = await this.client(profile).pca.getAllAccounts()
    return accounts.find((a) => a.homeAccountId === profile.accountHomeId)
  }

  private client(profile: Profile): ClientEntry {
    const endpoints = endpointsFor(profile)
    const key = `${endpoints.authorityHost}|${profile.clientId}`
    const existing = this.clients.get(key)
    if (existing) {
      return existing
    }
    const host = new URL(endpoints.authorityHost).host
    const cacheName = createHash('sha256').update(key).digest('hex').slice(0, 16)
    const cache =
      this.storageFor(profile) === 'keychain'
        ? new EncryptedTokenCache({
            file: join(this.deps.dataDir, 'auth', `token-cache-${cacheName}.bin`),
            secrets: this.deps.secrets,
            log: this.deps.log
          })
        : undefined
    const log = this.deps.log
    const pca = new PublicClientApplication({
      auth: {
        clientId: profile.clientId,
        authority: `${endpoints.authorityHost}/${profile.tenant}`,
        // Hosts MSAL has no built-in metadata for (the emulator) are trusted explicitly, which
        // also avoids an instance-discovery call (reference/auth.md §9.1).
        ...(isBuiltInAuthorityHost(host) ? {} : { knownAuthorities: [host] })
      },
      ...(cache ? { cache: { cachePlugin: cache } } : {}),
      system: {
        networkClient: new MsalNetworkClient(this.deps.http),
        loggerOptions: {
          logLevel: LogLevel.Warning,
          piiLoggingEnabled: false,
          loggerCallback: (_level, message, containsPii) => {
            if (!containsPii) {
              log.warn(`[msal] ${message}`)
            }
          }
        }
      }
    })
    const entry = { pca, cache }
    this.clients.set(key, entry)
    return entry
  }

  /**
   * Where a profile's tokens are kept. The demo tenant's tokens are throwaway: always in memory,
   * so the demo never needs (or asks) the OS keychain and works where there is none.
   */
  private storageFor(profile: Pick<Profile, 'isDemo'>): TokenStorage {
    return profile.isDemo ? 'memory' : this.storage
  }

  private setState(
    profile: Profile,
    change: Pick<AuthState, 'status' | 'account' | 'error'>,
    announce = true
  ): AuthState {
    const profileId = profile.id
    const before = this.states.get(profileId)
    const state: AuthState = { profileId, tokenStorage: this.storageFor(profile), ...change }
    this.states.set(profileId, state)
    if (announce || JSON.stringify(before) !== JSON.stringify(state)) {
      this.deps.onDidChange(state)
    }
    return state
  }
}

function describeAccount(account: AccountInfo): NonNullable<AuthState['account']> {
  return {
    username: account.username,
    ...(account.name ? { name: account.name } : {}),
    tenantId: account.tenantId
  }
}
