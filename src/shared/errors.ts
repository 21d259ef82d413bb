/**
 * Error codes and the result type every contract call resolves to.
 *
 * Only `message` survives a thrown error across Electron IPC, so calls never throw across a
 * boundary: they resolve to a {@link Result}. The UI switches on `code`, never on message text.
 */

/** Every error code a contract call can return. A closed union: add a code here before using it. */
export const ERROR_CODES = [
  'ipc/forbidden',
  'ipc/invalid-input',
  'ipc/unknown-channel',
  'ipc/internal',
  'ipc/unreachable',
  'web/unauthorized',
  'web/bad-host',
  'web/bad-origin',
  'web/payload-too-large',
  'web/unsupported-media-type',
  'web/method-not-allowed',
  'web/not-found',
  'settings/unreadable',
  'settings/write-failed',
  'profiles/not-found',
  'profiles/write-failed',
  'profiles/invalid',
  'auth/interaction-required',
  'auth/consent-required',
  'auth/missing-permission',
  'auth/tenant-mismatch',
  'auth/network',
  'auth/clock-skew',
  'auth/cancelled',
  'auth/timeout',
  'auth/busy',
  'auth/keychain-unavailable',
  'auth/invalid-client',
  'auth/tenant-not-found',
  'auth/failed',
  'acquire/busy',
  'acquire/invalid-range',
  'acquire/cancelled',
  'acquire/store-failed',
  'acquire/failed',
  'import/empty',
  'import/unknown-format',
  'import/unsupported',
  'import/cancelled',
  'import/store-failed',
  'import/read-failed',
  'import/unknown-handle',
  'import/file-required',
  'import/invalid-file',
  'import/upload-failed',
  'snapshot/cancelled',
  'snapshot/file-required',
  'snapshot/unknown-handle',
  'snapshot/invalid-file',
  'snapshot/not-available',
  'snapshot/too-large',
  'snapshot/upload-failed',
  'snapshot/busy',
  'snapshot/unknown-export',
  'snapshot/write-failed',
  'snapshot/read-failed',
  'snapshot/store-failed',
  'destinations/not-found',
  'destinations/invalid',
  'destinations/write-failed',
  'send/unknown',
  'send/cancelled',
  'send/failed',
  'send/tampered'
] as const

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** The error half of a {@link Result}: a stable code and one human-readable line. */
export interface ErrorInfo {
  code: ErrorCode
  message: string
}

/** What every contract call resolves to. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

/** Builds a failed result. */
export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } }
}

/**
 * An error a service throws on purpose: its code and message reach the caller unchanged.
 *
 * Any other thrown error becomes `ipc/internal` with a generic message, so internals (paths,
 * stack traces, tokens in messages) never cross the boundary.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'AppError'
  }
}

/** True when `value` is one of the known {@link ErrorCode}s. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}
