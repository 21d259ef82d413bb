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
    process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`)
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
