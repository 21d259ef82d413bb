import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'

import { CLOUDS } from '../shared/clouds'

import type { EmulatorClock } from './clock'
import { escapeHtml, isGuid, readBody, sendHtml, sendJson } from './http-util'
import { base64url, signJwt, verifyClientAssertion } from './jwt'
import type { SigningKey } from './jwt'
import type { TenantModel, UserRecord } from './tenant'

/** How `/authorize` completes: an auto-submit page (browser), or the fake POSTs itself. */
export type HeadlessMode = 'off' | 'auto' | 'manual'

/** Test controls of the fake Entra ID (see EmulatorOptions / Emulator.entra). */
export interface EntraControls {
  setNextUser(upn: string): void
  approveDeviceCode(userCode: string, upn?: string): void
  revokeRefreshTokens(upn: string, opts?: { withSuberror?: boolean }): void
  setAccessTokenLifetime(seconds: number): void
  denyNextAuthorization(): void
  requireConsent(on: boolean): void
  lastAuthorizeRequest(): URLSearchParams | undefined
  registerClientCertificate(clientId: string, certPem: string): void
  setClientSecret(clientId: string, secret: string): void
  /** `auto`: the fake POSTs the form to the loopback itself; `manual`: waits for approveSignIn. */
  setHeadless(mode: HeadlessMode): void
  /** Approves the oldest pending sign-in (headless `manual` mode); resolves once posted. */
  approveSignIn(upn?: string): Promise<boolean>
  /** How many sign-ins wait for approveSignIn (headless `manual` mode). */
  pendingSignIns(): number
  /** Sets the device-code polling interval sent to clients (seconds). */
  setDeviceCodeInterval(seconds: number): void
  /** Number of requests served per Entra endpoint kind (discovery, authorize, token, ...). */
  requestCounts(): Record<string, number>
}

interface AuthCode {
  user: UserRecord
  clientId: string
  redirectUri: string
  challenge: string | undefined
  nonce: string | undefined
  expiresAt: number
}

interface RefreshRecord {
  user: UserRecord
  clientId: string
  revoked: 'no' | 'bad_token' | 'plain'
}

interface DeviceCode {
  userCode: string
  clientId: string
  expiresAt: number
  approvedUser: UserRecord | undefined
}

interface PendingSignIn {
  fields: Record<string, string>
  redirectUri: string
  user: UserRecord
  params: URLSearchParams
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email'])
const MANAGE = CLOUDS.commercial.managementResource
const GRAPH = CLOUDS.commercial.graphResource

/** Splits a scope into (resource, permission): bare scopes belong to Graph, like Entra. */
function splitScope(scope: string): { resource: string; permission: string } {
  const match = /^(https?:\/\/[^/]+)\/(.+)$/.exec(scope)
  if (match?.[1] && match[2]) {
    return { resource: match[1], permission: match[2] }
  }
  return { resource: GRAPH, permission: scope }
}

/**
 * A fake Entra ID v2.0 endpoint set for msal-node 7 (reference/auth.md §9–§10): discovery, JWKS,
 * authorize with form_post, token (code + PKCE, refresh, device code, client credentials with
 * secret or certificate), devicecode and logout.
 */
export class FakeEntra implements EntraControls {
  private readonly codes = new Map<string, AuthCode>()
  private readonly refreshTokens = new Map<string, RefreshRecord>()
  private readonly deviceCodes = new Map<string, DeviceCode>()
  private readonly secrets = new Map<string, string>()
  private readonly certs = new Map<string, string[]>()
  private readonly pending: PendingSignIn[] = []
  private readonly counts: Record<string, number> = {}
  private nextUser: UserRecord | undefined
  private accessTokenLifetime = 3600
  private denyNext = false
  private consentRequired = false
  private lastAuthorize: URLSearchParams | undefined
  private headless: HeadlessMode = 'off'
  private deviceInterval = 1

  constructor(
    private readonly deps: {
      baseUrl: () => string
      /** The tenants the IdP knows; the first is the home (demo) tenant. */
      tenants: readonly TenantModel[]
      clock: EmulatorClock
      key: SigningKey
    }
  ) {}

  // ---- controls ----------------------------------------------------------------------------

  setNextUser(upn: string): void {
    this.nextUser = this.userByUpn(upn) ?? this.fail(`unknown user ${upn}`)
  }

  approveDeviceCode(userCode: string, upn?: string): void {
    const user = upn ? this.userByUpn(upn) : this.home.users.admin
    if (!user) {
      this.fail(`unknown user ${upn ?? ''}`)
    }
    for (const entry of this.deviceCodes.values()) {
      if (entry.userCode === userCode) {
        entry.approvedUser = user
        return
      }
    }
    this.fail(`unknown user code ${userCode}`)
  }

  revokeRefreshTokens(upn: string, opts?: { withSuberror?: boolean }): void {
    const user = this.userByUpn(upn) ?? this.fail(`unknown user ${upn}`)
    for (const record of this.refreshTokens.values()) {
      if (record.user.oid === user.oid && record.revoked === 'no') {
        record.revoked = opts?.withSuberror === false ? 'plain' : 'bad_token'
      }
    }
  }

  setAccessTokenLifetime(seconds: number): void {
    this.accessTokenLifetime = seconds
  }

  denyNextAuthorization(): void {
    this.denyNext = true
  }

  requireConsent(on: boolean): void {
    this.consentRequired = on
  }

  lastAuthorizeRequest(): URLSearchParams | undefined {
    return this.lastAuthorize ? new URLSearchParams(this.lastAuthorize) : undefined
  }

  registerClientCertificate(clientId: string, certPem: string): void {
    this.certs.set(clientId, [...(this.certs.get(clientId) ?? []), certPem])
  }

  setClientSecret(clientId: string, secret: string): void {
    this.secrets.set(clientId, secret)
  }

  setHeadless(mode: HeadlessMode): void {
    this.headless = mode
  }

  pendingSignIns(): number {
    return this.pending.length
  }

  async approveSignIn(upn?: string): Promise<boolean> {
    const next = this.pending.shift()
    if (!next) {
      return false
    }
    if (upn) {
      const user = this.userByUpn(upn) ?? this.fail(`unknown user ${upn}`)
      next.user = user
    }
    const fields = this.completeAuthorization(next.params, next.user)
    await postForm(next.redirectUri, fields)
    return true
  }

  setDeviceCodeInterval(seconds: number): void {
    this.deviceInterval = seconds
  }

  requestCounts(): Record<string, number> {
    return { ...this.counts }
  }

  // ---- HTTP --------------------------------------------------------------------------------

  /** Handles a request if it is an Entra path; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const match = /^\/([^/]+)\/(.*)$/.exec(url.pathname)
    if (!match?.[1] || match[2] === undefined) {
      return false
    }
    const tenantSegment = decodeURIComponent(match[1])
    const rest = match[2]
    const kinds: Record<string, string> = {
      'v2.0/.well-known/openid-configuration': 'discovery',
      '.well-known/openid-configuration': 'discovery',
      'discovery/v2.0/keys': 'keys',
      'oauth2/v2.0/authorize': 'authorize',
      'oauth2/v2.0/token': 'token',
      'oauth2/v2.0/devicecode': 'devicecode',
      'oauth2/v2.0/logout': 'logout'
    }
    const kind = kinds[rest]
    if (!kind) {
      return false
    }
    this.counts[kind] = (this.counts[kind] ?? 0) + 1
    if (!this.isKnownTenant(tenantSegment)) {
      sendJson(
        res,
        400,
        this.errorBody('invalid_tenant', 90002, `Tenant '${tenantSegment}' not found.`)
      )
      return true
    }
    switch (kind) {
      case 'discovery':
        sendJson(res, 200, this.metadata(tenantSegment))
        return true
      case 'keys':
        sendJson(res, 200, { keys: [this.deps.key.jwk] })
        return true
      case 'authorize':
        await this.authorize(res, url, tenantSegment)
        return true
      case 'logout':
        sendHtml(res, 200, '<html><body><p>You signed out of your account.</p></body></html>')
        return true
      default:
        break
    }
    if (req.method !== 'POST') {
      sendJson(
        res,
        405,
        this.errorBody('invalid_request', 900561, 'The endpoint only accepts POST.')
      )
      return true
    }
    const form = new URLSearchParams(await readBody(req))
    if (kind === 'devicecode') {
      this.deviceCode(res, form, tenantSegment)
    } else {
      this.token(res, form, tenantSegment)
    }
    return true
  }

  /** Entra-shaped OpenID metadata for a tenant segment. */
  metadata(tenantSegment: string): Record<string, unknown> {
    const base = `${this.deps.baseUrl()}/${tenantSegment}`
    const issuerTenant = isGuid(tenantSegment) ? tenantSegment : '{tenantid}'
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: [
        'client_secret_post',
        'private_key_jwt',
        'client_secret_basic'
      ],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${this.deps.baseUrl()}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${base}/openid/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'nonce',
        'name',
        'tid',
        'oid',
        'preferred_username'
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'emulator.local',
      cloud_graph_host_name: 'graph.emulator.local',
      msgraph_host: 'graph.emulator.local',
      rbac_url: 'https://pas.emulator.local'
    }
  }

  private async authorize(res: ServerResponse, url: URL, tenantSegment: string): Promise<void> {
    const params = url.searchParams
    this.lastAuthorize = new URLSearchParams(params)
    const clientId = params.get('client_id') ?? ''
    const redirectUri = params.get('redirect_uri') ?? ''
    if (!this.isKnownClient(clientId)) {
      sendHtml(
        res,
        400,
        page('AADSTS700016', `Application with identifier '${clientId}' was not found.`)
      )
      return
    }
    // Loopback redirect only: the emulator never posts anywhere else.
    if (!/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?$/.test(redirectUri)) {
      sendHtml(res, 400, page('AADSTS50011', `The redirect URI '${redirectUri}' does not match.`))
      return
    }
    if (params.get('response_type') !== 'code') {
      sendHtml(
        res,
        400,
        page('AADSTS900144', "The request body must contain 'response_type=code'.")
      )
      return
    }
    const challenge = params.get('code_challenge')
    if (challenge && params.get('code_challenge_method') !== 'S256') {
      sendHtml(res, 400, page('AADSTS501491', 'Invalid code_challenge_method.'))
      return
    }
    const user = this.pickUser(params.get('login_hint'), this.tenantFor(tenantSegment))
    const fields = this.completeAuthorization(params, user)
    if (this.headless === 'manual') {
      this.pending.push({ fields, redirectUri, user, params: new URLSearchParams(params) })
      sendHtml(res, 200, page('Waiting', 'The sign-in is waiting for a test to approve it.'))
      return
    }
    if (this.headless === 'auto') {
      sendHtml(res, 200, page('Signed in', 'The emulator completed the sign-in for you.'))
      await postForm(redirectUri, fields)
      return
    }
    sendHtml(res, 200, autoSubmitForm(redirectUri, fields))
  }

  /** Decides the outcome of an authorization request and returns the form fields. */
  private completeAuthorization(params: URLSearchParams, user: UserRecord): Record<string, string> {
    const state = params.get('state') ?? ''
    if (this.denyNext) {
      this.denyNext = false
      return {
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
        state
      }
    }
    if (this.consentRequired && params.get('prompt') !== 'consent') {
      return {
        error: 'consent_required',
        error_description:
          'AADSTS65001: The user or administrator has not consented to use the application.',
        state
      }
    }
    if (params.get('prompt') === 'consent') {
      this.consentRequired = false
    }
    const code = base64url(randomBytes(32))
    this.codes.set(code, {
      user,
      clientId: params.get('client_id') ?? '',
      redirectUri: params.get('redirect_uri') ?? '',
      challenge: params.get('code_challenge') ?? undefined,
      nonce: params.get('nonce') ?? undefined,
      expiresAt: this.deps.clock.now().getTime() + 10 * 60_000
    })
    const fields: Record<string, string> = { code, state, session_state: randomUUID() }
    if (params.get('client_info') === '1') {
      fields.client_info = clientInfo(user)
    }
    return fields
  }

  private deviceCode(res: ServerResponse, form: URLSearchParams, tenantSegment: string): void {
    const clientId = form.get('client_id') ?? ''
    if (this.refuseUnknownClient(res, clientId)) {
      return
    }
    const deviceCode = base64url(randomBytes(24))
    const userCode = randomBytes(5).toString('hex').slice(0, 9).toUpperCase()
    this.deviceCodes.set(deviceCode, {
      userCode,
      clientId,
      expiresAt: this.deps.clock.now().getTime() + 900_000,
      approvedUser: undefined
    })
    const verificationUri = `${this.deps.baseUrl()}/${tenantSegment}/devicelogin`
    sendJson(res, 200, {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: 900,
      interval: this.deviceInterval,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`
    })
  }

  private token(res: ServerResponse, form: URLSearchParams, tenantSegment: string): void {
    const grant = form.get('grant_type')
    const clientId = form.get('client_id') ?? ''
    if (this.refuseUnknownClient(res, clientId)) {
      return
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s.length > 0)
    const wantsClientInfo = form.get('client_info') === '1'
    const now = this.deps.clock.now().getTime()
    switch (grant) {
      case 'authorization_code': {
        const code = this.codes.get(form.get('code') ?? '')
        this.codes.delete(form.get('code') ?? '')
        if (!code || code.expiresAt < now || code.clientId !== clientId) {
          sendJson(
            res,
            400,
            this.errorBody(
              'invalid_grant',
              70008,
              'The provided authorization code is expired or invalid.'
            )
          )
          return
        }
        if (code.redirectUri !== (form.get('redirect_uri') ?? '')) {
          sendJson(
            res,
            400,
            this.errorBody(
              'invalid_grant',
              50011,
              'The redirect URI does not match the one used to get the code.'
            )
          )
          return
        }
        const verifier = form.get('code_verifier')
        if (code.challenge !== undefined) {
          const computed = verifier ? base64url(createHash('sha256').update(verifier).digest()) : ''
          if (computed !== code.challenge) {
            sendJson(
              res,
              400,
              this.errorBody(
                'invalid_grant',
                501481,
                'The Code_Verifier does not match the code_challenge supplied in the authorization request.'
              )
            )
            return
          }
        }
        sendJson(
          res,
          200,
          this.userTokens(code.user, clientId, scopes, code.nonce, wantsClientInfo)
        )
        return
      }
      case 'refresh_token': {
        const record = this.refreshTokens.get(form.get('refresh_token') ?? '')
        if (!record || record.clientId !== clientId) {
          sendJson(res, 400, {
            ...this.errorBody(
              'invalid_grant',
              9002313,
              'Invalid request. Malformed or invalid refresh token.'
            )
          })
          return
        }
        if (record.revoked !== 'no') {
          const body = this.errorBody(
            'invalid_grant',
            700082,
            'AADSTS700082: The refresh token has expired or been revoked.'
          )
          sendJson(
            res,
            400,
            record.revoked === 'bad_token' ? { ...body, suberror: 'bad_token' } : body
          )
          return
        }
        if (this.consentRequired) {
          sendJson(res, 400, {
            ...this.errorBody(
              'invalid_grant',
              65001,
              'AADSTS65001: The user or administrator has not consented to use the application.'
            ),
            suberror: 'consent_required'
          })
          return
        }
        sendJson(
          res,
          200,
          this.userTokens(record.user, clientId, scopes, undefined, wantsClientInfo)
        )
        return
      }
      case 'urn:ietf:params:oauth:grant-type:device_code':
      case 'device_code': {
        const entry = this.deviceCodes.get(form.get('device_code') ?? '')
        if (!entry || entry.clientId !== clientId) {
          sendJson(
            res,
            400,
            this.errorBody('invalid_grant', 70000, 'The provided device code is invalid.')
          )
          return
        }
        if (entry.expiresAt < now) {
          sendJson(res, 400, this.errorBody('expired_token', 70020, 'The device code has expired.'))
          return
        }
        if (!entry.approvedUser) {
          sendJson(
            res,
            400,
            this.errorBody(
              'authorization_pending',
              70016,
              'The user has not yet completed authorization.'
            )
          )
          return
        }
        this.deviceCodes.delete(form.get('device_code') ?? '')
        sendJson(
          res,
          200,
          this.userTokens(entry.approvedUser, clientId, scopes, undefined, wantsClientInfo)
        )
        return
      }
      case 'client_credentials': {
        const problem = this.authenticateClient(form, clientId, tenantSegment)
        if (problem) {
          sendJson(res, 401, this.errorBody('invalid_client', problem.code, problem.message))
          return
        }
        sendJson(res, 200, this.appToken(clientId, scopes, tenantSegment))
        return
      }
      default:
        sendJson(
          res,
          400,
          this.errorBody(
            'unsupported_grant_type',
            70003,
            `The grant type '${grant ?? ''}' is not supported.`
          )
        )
    }
  }

  private authenticateClient(
    form: URLSearchParams,
    clientId: string,
    tenantSegment: string
  ): { code: number; message: string } | undefined {
    const secret = form.get('client_secret')
    if (secret !== null) {
      return this.secrets.get(clientId) === secret
        ? undefined
        : { code: 7000215, message: 'AADSTS7000215: Invalid client secret provided.' }
    }
    const assertion = form.get('client_assertion')
    if (
      assertion &&
      form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
    ) {
      const claims = verifyClientAssertion(assertion, this.certs.get(clientId) ?? [])
      if (!claims) {
        return {
          code: 700027,
          message: 'AADSTS700027: Client assertion failed signature validation.'
        }
      }
      const nowSec = Math.floor(Date.now() / 1000)
      const expected = `${this.deps.baseUrl()}/${tenantSegment}/oauth2/v2.0/token`
      if (claims.iss !== clientId || claims.sub !== clientId) {
        return {
          code: 700021,
          message: 'AADSTS700021: Client assertion iss/sub must be the client id.'
        }
      }
      if (claims.aud !== expected) {
        return {
          code: 700024,
          message: `AADSTS700024: Client assertion audience must be ${expected}.`
        }
      }
      if (typeof claims.exp !== 'number' || claims.exp < nowSec) {
        return { code: 700024, message: 'AADSTS700024: Client assertion is expired.' }
      }
      return undefined
    }
    return {
      code: 7000218,
      message: "AADSTS7000218: The request body must contain 'client_assertion' or 'client_secret'."
    }
  }

  private userTokens(
    user: UserRecord,
    clientId: string,
    scopes: string[],
    nonce: string | undefined,
    wantsClientInfo: boolean
  ): Record<string, unknown> {
    const resourceScopes = scopes.filter((s) => !OIDC_SCOPES.has(s))
    const resource = resourceScopes[0] ? splitScope(resourceScopes[0]).resource : GRAPH
    // Like Entra, the token carries every permission consented for the resource, whichever
    // of them was requested; a user without grants gets a token that lacks them.
    const scp = user.grants
      .map(splitScope)
      .filter((g) => g.resource === resource)
      .map((g) => g.permission)
    const now = Math.floor(this.deps.clock.now().getTime() / 1000)
    const lifetime = this.accessTokenLifetime
    const tid = user.tenantId
    const accessToken = signJwt(
      {
        aud: resource,
        iss: `https://sts.windows.net/${tid}/`,
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: clientId,
        name: user.name,
        oid: user.oid,
        sub: user.oid,
        tid,
        upn: user.upn,
        unique_name: user.upn,
        preferred_username: user.upn,
        scp: scp.length > 0 ? scp.join(' ') : 'user_impersonation',
        ver: '1.0'
      },
      this.deps.key
    )
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: resourceScopes.length > 0 ? resourceScopes.join(' ') : 'openid profile',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken
    }
    // User flows always get a refresh token and an id_token (msal always asks for
    // openid profile offline_access).
    const rt = base64url(randomBytes(48))
    this.refreshTokens.set(rt, { user, clientId, revoked: 'no' })
    body.refresh_token = rt
    {
      const idClaims: Record<string, unknown> = {
        aud: clientId,
        iss: `${this.deps.baseUrl()}/${tid}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: user.name,
        oid: user.oid,
        preferred_username: user.upn,
        sub: base64url(createHash('sha256').update(`${user.oid}|${clientId}`).digest()).slice(
          0,
          43
        ),
        tid,
        login_hint: base64url(JSON.stringify({ oid: user.oid, tid, upn: user.upn })),
        uti: base64url(randomBytes(16)),
        ver: '2.0'
      }
      // Nonce rule (reference/auth.md §9.3): echo a nonce only when the client sent one.
      if (nonce !== undefined) {
        idClaims.nonce = nonce
      }
      body.id_token = signJwt(idClaims, this.deps.key)
    }
    if (wantsClientInfo) {
      body.client_info = clientInfo(user)
    }
    return body
  }

  private appToken(
    clientId: string,
    scopes: string[],
    tenantSegment: string
  ): Record<string, unknown> {
    const first = scopes[0]
    const resource = first ? splitScope(first).resource : GRAPH
    const roles =
      resource === MANAGE
        ? ['ActivityFeed.Read', 'ActivityFeed.ReadDlp', 'ServiceHealth.Read']
        : resource === CLOUDS.commercial.logAnalyticsResource
          ? ['Data.Read']
          : resource === CLOUDS.commercial.logsIngestionResource || resource === this.deps.baseUrl()
            ? // Logs Ingestion: Azure RBAC (Monitoring Metrics Publisher on the rule) decides;
              // the emulator's Azure Data Explorer cluster (audience: the cluster URL) grants by
              // principal (database roles). Neither by token roles.
              []
            : ['AuditLogsQuery.Read.All']
    const now = Math.floor(this.deps.clock.now().getTime() / 1000)
    const tid = (this.tenantFor(tenantSegment) ?? this.home).tenantId
    const lifetime = this.accessTokenLifetime
    const oid = base64url(createHash('sha256').update(`sp|${clientId}`).digest()).slice(0, 8)
    const accessToken = signJwt(
      {
        aud: resource,
        iss: `https://sts.windows.net/${tid}/`,
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: clientId,
        idtyp: 'app',
        oid: `00000000-0000-0000-0000-0000${oid
          .replace(/[^0-9a-f]/gi, '0')
          .padEnd(8, '0')
          .slice(0, 8)}`,
        roles,
        sub: clientId,
        tid,
        ver: '1.0'
      },
      this.deps.key
    )
    return {
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken
    }
  }

  private pickUser(loginHint: string | null, tenant: TenantModel | undefined): UserRecord {
    const hinted = loginHint ? this.userByUpn(loginHint) : undefined
    const chosen = hinted ?? this.nextUser ?? (tenant ?? this.home).users.admin
    this.nextUser = undefined
    // A tenant-specific authority signs in that tenant's users only (no guest accounts).
    if (tenant && chosen.tenantId !== tenant.tenantId) {
      return tenant.users.admin
    }
    return chosen
  }

  private userByUpn(upn: string): UserRecord | undefined {
    return this.deps.tenants
      .flatMap((t) => t.allUsers)
      .find((u) => u.upn.toLowerCase() === upn.toLowerCase())
  }

  /** Answers `unauthorized_client` (AADSTS700016) for an app the tenant does not know; true if it did. */
  private refuseUnknownClient(res: ServerResponse, clientId: string): boolean {
    if (this.isKnownClient(clientId)) {
      return false
    }
    sendJson(
      res,
      400,
      this.errorBody('unauthorized_client', 700016, `Application '${clientId}' was not found.`)
    )
    return true
  }

  private isKnownClient(clientId: string): boolean {
    return clientId === this.home.clientId || this.secrets.has(clientId) || this.certs.has(clientId)
  }

  private isKnownTenant(segment: string): boolean {
    const s = segment.toLowerCase()
    return s === 'organizations' || s === 'common' || this.tenantFor(s) !== undefined
  }

  private tenantFor(segment: string): TenantModel | undefined {
    const s = segment.toLowerCase()
    return this.deps.tenants.find((t) => t.tenantId === s || t.domain === s)
  }

  private get home(): TenantModel {
    const home = this.deps.tenants[0]
    if (!home) {
      throw new Error('[emulator] no tenant configured')
    }
    return home
  }

  private errorBody(error: string, code: number, description: string): Record<string, unknown> {
    return {
      error,
      error_description: description.startsWith('AADSTS')
        ? description
        : `AADSTS${code}: ${description}`,
      error_codes: [code],
      timestamp: this.deps.clock
        .now()
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z'),
      trace_id: randomUUID(),
      correlation_id: randomUUID()
    }
  }

  private fail(message: string): never {
    throw new Error(`[emulator] ${message}`)
  }
}

function clientInfo(user: UserRecord): string {
  return base64url(JSON.stringify({ uid: user.oid, utid: user.tenantId }))
}

function page(title: string, text: string): string {
  return `<!DOCTYPE html><html><head><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`
}

/** The page Entra serves for response_mode=form_post: a form that submits itself. */
function autoSubmitForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}" />`)
    .join('')
  return (
    '<html><head><title>Working...</title></head><body>' +
    `<form method="POST" name="hiddenform" action="${escapeHtml(action)}">${inputs}` +
    '<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>' +
    '</form><script language="javascript">window.setTimeout(function(){document.forms[0].submit()},0);</script>' +
    '</body></html>'
  )
}

/**
 * Posts the form_post fields to the loopback redirect (headless IdP mode). msal-node's loopback
 * listens on IPv4 only, so `localhost` is rewritten to 127.0.0.1 (reference/auth.md §3.3).
 */
function postForm(redirectUri: string, fields: Record<string, string>): Promise<void> {
  const target = new URL(redirectUri)
  if (target.hostname === 'localhost') {
    target.hostname = '127.0.0.1'
  }
  if (target.hostname !== '127.0.0.1' || target.protocol !== 'http:') {
    return Promise.reject(new Error('[emulator] refusing to post to a non-loopback redirect'))
  }
  const body = new URLSearchParams(fields).toString()
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname || '/',
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body)
        }
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve())
      }
    )
    req.on('error', () => resolve())
    req.end(body)
  })
}
