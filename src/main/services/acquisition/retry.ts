/**
 * Which failures are worth retrying, how long to wait, and how errors are written to the ledger.
 */
import type { AcquisitionSource, LedgerError, LedgerWindow } from '../../../shared/acquisition'
import { AuditApiError, errorAction } from '../audit-api/api-error'
import { TokenDestinationError } from '../audit-api/token-destination'
import { NetworkError } from '../http/https-client'

import { BlobFormatError } from './blob-records'
import { AcquisitionError } from './types'

/** Exponential back-off with jitter: ~1 s, 2 s, 4 s… capped at 60 s. */
export function backoffMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1)) * (0.5 + Math.random() / 2)
}

/** Whether an error is worth retrying: 5xx, 408, AF5000x, resets, time-outs, bad bodies. */
export function isTransient(error: unknown): boolean {
  if (error instanceof AuditApiError) {
    const action = errorAction(error)
    return action === 'transient' || action === 'throttled'
  }
  if (error instanceof NetworkError) {
    return error.kind !== 'blocked' && error.kind !== 'tls'
  }
  return error instanceof BlobFormatError
}

/** A short {code, message} for the ledger from any error. */
export function toLedgerError(error: unknown): LedgerError {
  if (error instanceof AuditApiError) {
    return { code: error.code, message: error.message }
  }
  if (error instanceof NetworkError) {
    return { code: `network-${error.kind}`, message: error.message }
  }
  if (error instanceof BlobFormatError) {
    return { code: 'malformed-body', message: error.message }
  }
  if (error instanceof AcquisitionError) {
    return { code: error.apiCode ?? error.code, message: error.message }
  }
  if (error instanceof TokenDestinationError) {
    return { code: error.code, message: error.message }
  }
  return { code: 'error', message: error instanceof Error ? error.message : String(error) }
}

/** A new, empty window entry. */
export function newWindow(
  key: string,
  tenantId: string,
  source: AcquisitionSource,
  contentType: string,
  at: string
): LedgerWindow {
  return {
    key,
    tenantId,
    source,
    contentType,
    start: at,
    end: at,
    status: 'pending',
    listed: 0,
    received: 0,
    new: 0,
    duplicate: 0,
    rejected: 0,
    failedBlobs: 0,
    expiredBlobs: 0,
    attempts: 0,
    listCount: 0,
    lastError: null,
    firstListedAt: null,
    lastListedAt: null,
    completedAt: null,
    updatedAt: at
  }
}
