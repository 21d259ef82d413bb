/**
 * The Content-Security-Policy of every page the app serves.
 *
 * Sent as a header by the app:// protocol handler and by the browser shell, and written into the
 * built index.html. `style-src 'unsafe-inline'` is needed by ag-grid and React inline styles
 * (Electron security checklist #7).
 */
const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
]

export const CONTENT_SECURITY_POLICY = DIRECTIVES.join('; ')

/**
 * The same policy for a `<meta>` tag, which cannot carry `frame-ancestors` (browsers ignore it
 * there and log an error); the header versions keep it.
 */
export const CONTENT_SECURITY_POLICY_META = DIRECTIVES.filter(
  (d) => !d.startsWith('frame-ancestors')
).join('; ')
