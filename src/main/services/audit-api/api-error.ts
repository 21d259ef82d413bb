/**
 * Errors of the Management Activity API and Graph, with their codes read from whatever body came
 * back: `{"error":{"code":"AF…","message":"…"}}`, the gateway's `{"Message":"…"}`, or HTML from a
 * proxy (management-api.md §2.10).
 */

/** An HTTP error answer from an audit API. */
export class AuditApiError extends Error {
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** `AF20023`, `AF429`, Graph's `Forbidden`, or `HTTP_<status>` when the body had none. */
    readonly code: string,
    message: string,
    /** Seconds from a Retry-After header, when present. */
    readonly retryAfterSeconds?: number
  ) {
    super(message)
    this.name = 'AuditApiError'
  }
}

const MAX_MESSAGE = 300

/** Reads the error code and message from an error response body. Never throws. */
export function parseApiError(status: number, text: string, retryAfter?: string): AuditApiError {
  let code = `HTTP_${status}`
  let message = text.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE) || `HTTP ${status}`
  try {
    const body = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown }
      Message?: unknown
    }
    if (body.error && typeof body.error.code === 'string') {
      code = body.error.code
      message = typeof body.error.message === 'string' ? body.error.message : code
    } else if (typeof body.Message === 'string') {
      message = body.Message
    }
  } catch {
    // Not JSON (a gateway's HTML page): keep the truncated text.
  }
  const seconds =
    retryAfter !== undefined && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined
  return new AuditApiError(status, code, message.slice(0, MAX_MESSAGE), seconds)
}
