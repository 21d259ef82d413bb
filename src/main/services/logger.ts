/**
 * The logging port. Lines carry a bracketed tag: `[web] refused POST /api/x: bad origin`.
 *
 * Never pass tokens, keys or record contents to a logger.
 */
export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

const SECRET_PATTERNS: [RegExp, string][] = [
  // JWTs (access and id tokens): three base64url parts, the first starting with {"
  [/eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, '[redacted-jwt]'],
  // OAuth parameters in URLs and form bodies
  [
    /\b(code|refresh_token|access_token|id_token|client_secret|client_assertion|device_code|code_verifier|secret|password)=([^&\s"']+)/gi,
    '$1=[redacted]'
  ],
  // JSON fields holding secrets
  [
    /"(secret|refresh_token|access_token|id_token|client_secret|password)"\s*:\s*"[^"]*"/gi,
    '"$1":"[redacted]"'
  ],
  // Authorization headers
  [/\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/g, '$1 [redacted]']
]

/**
 * Removes anything that looks like a token, code or secret from a log line. A second line of
 * defence: services must not pass secrets to a logger in the first place.
 */
export function redactSecrets(line: string): string {
  return SECRET_PATTERNS.reduce(
    (text, [pattern, replacement]) => text.replace(pattern, replacement),
    line
  )
}

/** Writes log lines to stderr with an ISO timestamp, so stdout stays free for program output. */
export class StderrLogger implements Logger {
  info(message: string): void {
    this.write('info', message)
  }
  warn(message: string): void {
    this.write('warn', message)
  }
  error(message: string): void {
    this.write('error', message)
  }
  private write(level: string, message: string): void {
    process.stderr.write(`${new Date().toISOString()} ${level} ${redactSecrets(message)}\n`)
  }
}

/** Keeps log lines in memory; for tests that assert what was (not) logged. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = []
  info(message: string): void {
    this.lines.push(`info ${message}`)
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`)
  }
  error(message: string): void {
    this.lines.push(`error ${message}`)
  }
}
