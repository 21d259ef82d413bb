/**
 * Turns what MSAL, Entra ID and the audit APIs throw into errors a person can act on: a stable
 * code for the UI and one line saying what to do (reference/auth.md §5, management-api.md §2.10).
 */
import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node'

import { AppError, type ErrorCode } from '../../../shared/errors'
import { NetworkError } from '../http/https-client'

import { SecretStoreUnavailableError } from './secret-store'

/** The one-line fix shown next to each auth error. */
export const AUTH_FIXES: Partial<Record<ErrorCode, string>> = {
  'auth/interaction-required': 'Sign in again.',
  'auth/consent-required':
    'An administrator must grant consent for the app registration (API permissions → Grant admin consent).',
  'auth/missing-permission':
    'Add the delegated permission Office 365 Management APIs → ActivityFeed.Read to the app registration and grant admin consent.',
  'auth/tenant-mismatch':
    'The signed-in account belongs to another tenant than the profile: sign in with an account of this tenant or fix the tenant in the profile.',
  'auth/network':
    'Check the network connection, proxy and firewall; the sign-in and audit endpoints must be reachable.',
  'auth/clock-skew': "Set this computer's clock to the correct time (enable automatic time).",
  'auth/cancelled': 'Start the sign-in again when you are ready.',
  'auth/timeout': 'The sign-in took too long; start it again and finish it in the browser.',
  'auth/busy': 'Finish or cancel the sign-in that is in progress first.',
  'auth/keychain-unavailable':
    'Unlock or install the OS keychain (GNOME Keyring or KWallet on Linux), or choose to keep tokens in memory only.',
  'auth/invalid-client':
    'Check the client ID in the profile and that the app registration allows public client flows.',
  'auth/tenant-not-found': 'Check the tenant ID or domain in the profile.',
  'auth/failed': 'Try again; if it keeps failing, use "Test connection" to see which step fails.'
}

/** Builds an {@link AppError} whose message ends with the code's one-line fix. */
export function authError(code: ErrorCode, what: string): AppError {
  const fix = AUTH_FIXES[code]
  return new AppError(code, fix ? `${what} ${fix}` : what)
}

const CONSENT_CODES = new Set(['consent_required', 'invalid_scope'])

/** Maps anything thrown during sign-in or token acquisition to an {@link AppError}. */
export function toAuthError(error: unknown): AppError {
  if (error instanceof AppError) {
    return error
  }
  if (error instanceof SecretStoreUnavailableError) {
    return authError('auth/keychain-unavailable', error.message)
  }
  if (error instanceof NetworkError) {
    return error.kind === 'tls'
      ? authError('auth/network', `The certificate of ${error.host} is not trusted.`)
      : authError('auth/network', `${error.host} could not be reached (${error.kind}).`)
  }
  if (error instanceof AuthError) {
    const code = error.errorCode
    const sub = error.subError
    const description = `${error.errorMessage ?? ''}`
    if (
      code === 'user_cancelled' ||
      code === 'access_denied' ||
      code === 'device_code_polling_cancelled'
    ) {
      return authError('auth/cancelled', 'The sign-in was cancelled.')
    }
    if (code === 'timeout' || code === 'cax_timeout') {
      return authError('auth/timeout', 'The sign-in was not completed in time.')
    }
    if (CONSENT_CODES.has(code) || CONSENT_CODES.has(sub) || /AADSTS65001/.test(description)) {
      return authError(
        'auth/consent-required',
        'The app registration has not been granted consent.'
      )
    }
    if (/AADSTS90002|AADSTS90023/.test(description) || code === 'tenant_not_found') {
      return authError('auth/tenant-not-found', 'Entra ID does not know this tenant.')
    }
    if (
      code === 'invalid_client' ||
      code === 'unauthorized_client' ||
      /AADSTS700016/.test(description)
    ) {
      return authError('auth/invalid-client', 'Entra ID refused the app registration.')
    }
    if (/AADSTS700024|AADSTS500133/.test(description)) {
      return authError(
        'auth/clock-skew',
        "The token's time window does not match this computer's clock."
      )
    }
    // Plain invalid_grant is a ServerError, not an InteractionRequiredAuthError (auth.md §5).
    if (
      error instanceof InteractionRequiredAuthError ||
      (error instanceof ServerError && code === 'invalid_grant')
    ) {
      return authError('auth/interaction-required', 'Your sign-in has expired or was revoked.')
    }
    if (code === 'endpoints_resolution_error' || code === 'network_error') {
      return authError('auth/network', 'The sign-in service could not be reached.')
    }
    return authError('auth/failed', `Sign-in failed (${code}).`)
  }
  return authError('auth/failed', 'Sign-in failed unexpectedly.')
}
