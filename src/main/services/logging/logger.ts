import { appendFile, chmod, mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

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

/** The level of a log line. */
export type LogLevel = 'info' | 'warn' | 'error'

/** A logger whose three levels all go through one `write`. */
export abstract class LevelLogger implements Logger {
  info(message: string): void {
    this.write('info', message)
  }
  warn(message: string): void {
    this.write('warn', message)
  }
  error(message: string): void {
    this.write('error', message)
  }
  protected abstract write(level: LogLevel, message: string): void
}

/** Writes log lines to stderr with an ISO timestamp, so stdout stays free for program output. */
export class StderrLogger extends LevelLogger {
  protected override write(level: LogLevel, message: string): void {
    process.stderr.write(`${new Date().toISOString()} ${level} ${redactSecrets(message)}\n`)
  }
}

/** Keeps log lines in memory; for tests that assert what was (not) logged. */
export class MemoryLogger extends LevelLogger {
  readonly lines: string[] = []
  protected override write(level: LogLevel, message: string): void {
    this.lines.push(`${level} ${message}`)
  }
}

/** Options of {@link FileLogger}. */
export interface FileLoggerOptions {
  /** The logs folder (the desktop app uses `<userData>/logs`); created on first write. */
  dir: string
  /** The current file's name; rotated files are `main.1.log`, `main.2.log`, … */
  fileName?: string
  /** Rotate when the current file would grow beyond this many bytes (default 5 MiB). */
  maxBytes?: number
  /** How many rotated files to keep besides the current one (default 3). */
  keep?: number
  /** Also write every line here (stderr in development). */
  mirror?: Logger
  now?: () => Date
}

/**
 * Writes redacted log lines to a file in the logs folder and rotates it at a size limit, keeping
 * a few old files: `main.log` → `main.1.log` → … → dropped. Writes are queued (never interleaved)
 * and asynchronous; a failing disk never throws into the caller (the line goes to the mirror).
 */
export class FileLogger extends LevelLogger {
  private readonly file: string
  private readonly fileName: string
  private readonly maxBytes: number
  private readonly keep: number
  private size: number | undefined
  private queue: Promise<void> = Promise.resolve()

  constructor(private readonly options: FileLoggerOptions) {
    super()
    this.fileName = options.fileName ?? 'main.log'
    this.file = join(options.dir, this.fileName)
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024
    this.keep = Math.max(0, options.keep ?? 3)
  }

  /** The path of the current log file. */
  get path(): string {
    return this.file
  }

  /** Resolves when every line logged so far is on disk (or failed). */
  flush(): Promise<void> {
    return this.queue
  }

  protected override write(level: LogLevel, message: string): void {
    this.options.mirror?.[level](message)
    const now = (this.options.now ?? (() => new Date()))()
    // One entry per line: a multi-line message cannot forge a second entry.
    const line = `${now.toISOString()} ${level} ${redactSecrets(message).replace(/\r?\n/g, ' ⏎ ')}\n`
    this.queue = this.queue
      .then(() => this.append(line))
      .catch((error: unknown) => {
        this.size = undefined
        this.options.mirror?.error(
          `[log] could not write ${this.file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown'}`
        )
      })
  }

  private async append(line: string): Promise<void> {
    const bytes = Buffer.byteLength(line)
    if (this.size === undefined) {
      // Owner-only: a folder this creates is 0700, the log 0600 (also one an older version left).
      await mkdir(this.options.dir, { recursive: true, mode: 0o700 })
      this.size = await stat(this.file).then(
        (s) => s.size,
        () => 0
      )
      if (this.size > 0) {
        await chmod(this.file, 0o600).catch(() => undefined)
      }
    }
    if (this.size > 0 && this.size + bytes > this.maxBytes) {
      await this.rotate()
      this.size = 0
    }
    await appendFile(this.file, line, { encoding: 'utf8', mode: 0o600 })
    this.size += bytes
  }

  private async rotate(): Promise<void> {
    const base = this.fileName.replace(/\.log$/, '')
    const rotated = (n: number): string => join(this.options.dir, `${base}.${n}.log`)
    if (this.keep === 0) {
      await rm(this.file, { force: true })
      return
    }
    // main.(keep).log is overwritten by the rename below: the oldest file is dropped.
    for (let n = this.keep - 1; n >= 1; n--) {
      await rename(rotated(n), rotated(n + 1)).catch(() => undefined)
    }
    await rename(this.file, rotated(1))
  }
}
