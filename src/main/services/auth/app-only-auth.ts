/**
 * App-only (client credentials) tokens for unattended CLI pulls: a certificate (preferred) or a
 * client secret of the customer's app registration, with application permissions. Tokens stay in
 * this process's memory only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'

import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node'

import type { HttpsClient } from '../http/https-client'
import type { Logger } from '../logging/logger'

import { authError, toAuthError } from './auth-errors'
import {
  isBuiltInAuthorityHost,
  type AccessToken,
  type ProfileEndpoints,
  type TokenResource
} from './auth-service'
import { MsalNetworkClient } from './msal-network-client'

/** How the app proves who it is. */
export type AppCredential =
  | { kind: 'certificate'; certificatePem: string; privateKeyPem: string }
  | { kind: 'secret'; secret: string }

/**
 * Reads a certificate credential from PEM files: the certificate (public) and its private key,
 * which may also be one combined file.
 */
export async function readCertificateCredential(
  certificateFile: string,
  privateKeyFile: string = certificateFile
): Promise<AppCredential> {
  const [certificatePem, keyText] = await Promise.all([
    readFile(certificateFile, 'utf8'),
    readFile(privateKeyFile, 'utf8')
  ])
  let privateKeyPem: string
  try {
    privateKeyPem = createPrivateKey(keyText).export({ format: 'pem', type: 'pkcs8' }).toString()
  } catch {
    throw authError('auth/invalid-client', `${privateKeyFile} holds no readable private key (PEM).`)
  }
  return { kind: 'certificate', certificatePem, privateKeyPem }
}

export interface AppOnlyAuthOptions {
  clientId: string
  tenantId: string
  credential: AppCredential
  endpoints: ProfileEndpoints
  http: HttpsClient
  log: Logger
}

/** Gets app-only tokens for the Management API and Graph. */
export class AppOnlyAuth {
  private readonly cca: ConfidentialClientApplication

  constructor(private readonly options: AppOnlyAuthOptions) {
    const { credential, endpoints } = options
    let clientCertificate: { thumbprintSha256: string; privateKey: string; x5c: string } | undefined
    if (credential.kind === 'certificate') {
      let certificate: X509Certificate
      try {
        certificate = new X509Certificate(credential.certificatePem)
      } catch {
        throw authError(
          'auth/invalid-client',
          'The certificate file holds no readable X.509 certificate.'
        )
      }
      clientCertificate = {
        thumbprintSha256: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
        privateKey: credential.privateKeyPem,
        x5c: certificate.toString()
      }
    }
    const host = new URL(endpoints.authorityHost).host
    this.cca = new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        authority: `${endpoints.authorityHost}/${options.tenantId}`,
        ...(clientCertificate ? { clientCertificate } : {}),
        ...(credential.kind === 'secret' ? { clientSecret: credential.secret } : {}),
        ...(isBuiltInAuthorityHost(host) ? {} : { knownAuthorities: [host] })
      },
      system: {
        networkClient: new MsalNetworkClient(options.http),
        loggerOptions: {
          logLevel: LogLevel.Error,
          piiLoggingEnabled: false,
          loggerCallback: () => undefined
        }
      }
    })
  }

  /**
   * A token for the API, from MSAL's in-memory cache while it is valid. `forceRefresh` (after
   * the API refused a token with 401) skips the cache and asks Entra ID for a new one
   * (msal-node `skipCache`); the new token then replaces the cached one.
   */
  async getAccessToken(resource: TokenResource, forceRefresh = false): Promise<AccessToken> {
    if (resource === 'loganalytics') {
      throw authError(
        'auth/failed',
        'Ask getResourceToken for the Log Analytics audience of the cloud table.'
      )
    }
    const base =
      resource === 'management'
        ? this.options.endpoints.managementResource
        : this.options.endpoints.graphResource
    return this.acquire(`${base}/.default`, resource, forceRefresh)
  }

  /**
   * A token for another resource of the cloud table by its audience (the Log Analytics query
   * API's `https://api.loganalytics.io`), with the same cache and refresh rules.
   */
  async getResourceToken(audience: string, forceRefresh = false): Promise<AccessToken> {
    return this.acquire(`${audience}/.default`, audience, forceRefresh)
  }

  /**
   * A token for a scope spelled exactly (the Logs Ingestion API's `https://monitor.azure.com//.default`,
   * from the cloud table), with the same cache and refresh rules.
   */
  async getScopeToken(scope: string, forceRefresh = false): Promise<AccessToken> {
    return this.acquire(scope, scope, forceRefresh)
  }

  private async acquire(
    scope: string,
    resource: string,
    forceRefresh: boolean
  ): Promise<AccessToken> {
    try {
      const result = await this.cca.acquireTokenByClientCredential({
        scopes: [scope],
        ...(forceRefresh ? { skipCache: true } : {})
      })
      if (!result) {
        throw authError('auth/failed', 'Entra ID returned no token.')
      }
      return { token: result.accessToken, expiresOn: result.expiresOn, tenantId: result.tenantId }
    } catch (error) {
      const appError = toAuthError(error)
      this.options.log.warn(`[auth] app-only token for ${resource} failed: ${appError.code}`)
      throw appError
    }
  }
}
