/**
 * App-only sign-in for commands that talk to one Azure resource (an Azure Data Explorer
 * cluster, a Log Analytics workspace…): the flags, their parsing, and a token source for that resource's audience.
 * Certificates are preferred; a client secret or a token another tool obtained come from
 * environment variables, never from the command line.
 */
import { readFile } from 'node:fs/promises'

import type { CloudProfile } from '../../shared/clouds'
import { AppOnlyAuth, readCertificateCredential } from '../../main/services/auth/app-only-auth'
import type { AppCredential } from '../../main/services/auth/app-only-auth'
import { BearerHttp } from '../../main/services/audit-api/bearer-http'
import { tokenDestination } from '../../main/services/audit-api/token-destination'
import { HttpsClient } from '../../main/services/http/https-client'
import { StderrLogger } from '../../main/services/logging/logger'
import { AppError } from '../../shared/errors'
import type { CliIo } from '../cli-io'
import { ExitCode, type ExitCodeValue } from '../exit-codes'

import { UsageProblem } from './pull-options'

/** The `parseArgs` options of the sign-in flags. */
export const RESOURCE_AUTH_SPEC = {
  tenant: { type: 'string' },
  cloud: { type: 'string' },
  'authority-host': { type: 'string' },
  'ca-file': { type: 'string' },
  'client-id': { type: 'string' },
  certificate: { type: 'string' },
  'private-key': { type: 'string' },
  'client-secret-env': { type: 'string' },
  'access-token-env': { type: 'string' }
} as const

/** The usage lines of the sign-in flags. */
export const RESOURCE_AUTH_USAGE = `Sign-in (app-only, one of):
  --tenant <guid> --client-id <id> --certificate <pem> [--private-key <pem>]
  --tenant <guid> --client-id <id> --client-secret-env <VAR>
  --access-token-env <VAR>  a token for the resource another tool obtained (never printed)
  --cloud commercial|gcc|gcc-high|dod   --authority-host <url>   --ca-file <pem> (an extra CA)`

/** Parsed sign-in. */
export type ResourceAuth =
  | { kind: 'app'; tenantId: string; clientId: string; credential: () => Promise<AppCredential> }
  | { kind: 'token'; token: string }

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Reads the sign-in flags; throws {@link UsageProblem}. */
export function parseResourceAuth(
  v: Partial<Record<keyof typeof RESOURCE_AUTH_SPEC, string>>,
  io: CliIo,
  path: (p: string) => string
): ResourceAuth {
  if (v['access-token-env'] !== undefined) {
    const name = v['access-token-env']
    const token = io.env[name]
    if (!token) {
      throw new UsageProblem(
        `the environment variable ${name} (--access-token-env) is empty or unset`
      )
    }
    return { kind: 'token', token }
  }
  const tenantId = v.tenant
  if (tenantId === undefined || !GUID.test(tenantId)) {
    throw new UsageProblem(`--tenant must be the tenant GUID (got '${tenantId ?? ''}')`)
  }
  const clientId = v['client-id']
  if (!clientId) {
    throw new UsageProblem('--client-id is required')
  }
  if (v.certificate !== undefined) {
    const cert = path(v.certificate)
    const key = v['private-key'] !== undefined ? path(v['private-key']) : cert
    return {
      kind: 'app',
      tenantId,
      clientId,
      credential: () => readCertificateCredential(cert, key)
    }
  }
  if (v['client-secret-env'] !== undefined) {
    const name = v['client-secret-env']
    const secret = io.env[name]
    if (!secret) {
      throw new UsageProblem(
        `the environment variable ${name} (--client-secret-env) is empty or unset`
      )
    }
    return { kind: 'app', tenantId, clientId, credential: async () => ({ kind: 'secret', secret }) }
  }
  throw new UsageProblem('sign-in needed: --certificate, --client-secret-env or --access-token-env')
}

/** An https:// URL option without a trailing slash; throws {@link UsageProblem}. */
export function httpsUrlOption(name: string, value: string | undefined, fallback?: string): string {
  const text = (value ?? fallback ?? '').replace(/\/+$/, '')
  try {
    const url = new URL(text)
    if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '' || url.username !== '') {
      throw new Error('not a plain https URL')
    }
  } catch {
    throw new UsageProblem(`--${name} must be a plain https:// URL (got '${text}')`)
  }
  return text
}

/** What a token is for: an audience (asked as `<resource>/.default`) or a scope spelled out. */
export type TokenAudience = { resource: string } | { scope: string }

/** A signed-in client: bearer HTTP clients that send tokens only to the bases they were made for. */
export interface ResourceSignIn {
  /**
   * An HTTP client that sends a token for `audience` to `base` and nowhere else (`what` names
   * the destination in errors: "the Log Analytics query API").
   */
  bearer(what: string, base: string, audience: TokenAudience): BearerHttp
}

/**
 * Signs in for one command: reads `--ca-file`, the certificate or secret, and builds the
 * token sources. A given token (`--access-token-env`) serves every audience unless
 * `givenByAudience` names another token for it (a command that talks to two APIs).
 */
export async function resourceSignIn(options: {
  auth: ResourceAuth
  profile: CloudProfile
  authorityHost: string
  caFile: string | undefined
  givenByAudience?: ReadonlyMap<string, string>
}): Promise<ResourceSignIn> {
  const caPem = options.caFile ? await readFile(options.caFile, 'utf8') : undefined
  const http = new HttpsClient(caPem ? { extraCaPem: caPem } : {})
  const key = (audience: TokenAudience): string =>
    'resource' in audience ? audience.resource : audience.scope
  const auth = options.auth
  let tokenFor: (audience: TokenAudience) => (forceRefresh: boolean) => Promise<string>
  if (auth.kind === 'token') {
    const given = auth.token
    const others = options.givenByAudience ?? new Map<string, string>()
    tokenFor = (audience) => {
      const token = others.get(key(audience)) ?? given
      return async () => token
    }
  } else {
    const profile = options.profile
    const app = new AppOnlyAuth({
      clientId: auth.clientId,
      tenantId: auth.tenantId,
      credential: await auth.credential(),
      endpoints: {
        authorityHost: options.authorityHost,
        managementApiBase: profile.managementApiBase,
        managementResource: profile.managementResource,
        graphBase: profile.graphBase,
        graphResource: profile.graphResource,
        hasGraphAuditQuery: profile.hasGraphAuditQuery
      },
      http,
      log: new StderrLogger()
    })
    tokenFor = (audience) => async (force) =>
      'resource' in audience
        ? (await app.getResourceToken(audience.resource, force)).token
        : (await app.getScopeToken(audience.scope, force)).token
  }
  return {
    bearer: (what, base, audience) =>
      new BearerHttp({ http, destination: tokenDestination(what, base), token: tokenFor(audience) })
  }
}

/**
 * Reports a sign-in that failed before any work (`<command>: <message>` on stderr) and returns
 * its exit code: 4 when the sign-in or permission was refused (an {@link AppError}), 2 when the
 * input behind it was bad (an unreadable certificate or `--ca-file`, a malformed key…).
 */
export function signInFailed(io: CliIo, command: string, error: unknown): ExitCodeValue {
  io.stderr.write(`${command}: ${(error as Error).message}\n`)
  return error instanceof AppError ? ExitCode.auth : ExitCode.invalidInput
}
