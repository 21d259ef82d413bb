/**
 * The journal of a push to a remote engine (Azure Data Explorer, Log Analytics…): an
 * append-only NDJSON file that says, part by part, what was sent and what was verified, so a
 * push killed at any point resumes where it stopped and neither loses nor doubles a part.
 *
 * Line 1 is the header (destination, target, settings that decide how records are cut into
 * parts); then one line per state change of a part: `sending` is written — and flushed to disk —
 * BEFORE the part goes out, `sent` after the engine accepted it, `verified` once a count query
 * found exactly its records. On resume a part last seen `sending` or `sent` may or may not have
 * landed: the destination checks before sending it again. A crash can tear only the last line;
 * a torn last line is dropped when the journal is opened (it described nothing that finished).
 * Generic: it knows parts by index and id, never what a part holds.
 */
import { open, readFile, truncate } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'

/** What the journal is about; a journal is refused for a different target or settings. */
export interface PushJournalHeader {
  /** `adx`, `loganalytics`. */
  destination: string
  /** Where the parts go (`https://c.kusto.windows.net/Db/Table`). */
  target: string
  /** Settings that decide the parts (part size…): a resume must cut parts the same way. */
  settings: Record<string, string | number | boolean>
}

/** A part's state: `sending` (may have landed), `sent` (accepted), `verified` (counted). */
export type PushPartState = 'sending' | 'sent' | 'verified'

/** The journal's latest word on one part. */
export interface PushPart {
  index: number
  /** A stable id of the part's content (also what the engine sees, e.g. an ingest-by tag). */
  id: string
  records: number
  state: PushPartState
  at: string
}

/** A journal that belongs to another push, or a damaged one. */
export class PushJournalError extends Error {}

const MAX_JOURNAL_BYTES = 256 * 1024 * 1024

/** An open journal (one writer: the push that opened it). */
export class PushJournal {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly latest: Map<number, PushPart>
  ) {}

  /**
   * Opens `path`, creating it with `header` when missing. Throws {@link PushJournalError} when
   * the file's header names another destination, target or settings, or a line other than the
   * last is damaged.
   */
  static async open(path: string, header: PushJournalHeader): Promise<PushJournal> {
    let text: string | undefined
    try {
      const handle = await open(path, 'r')
      try {
        const { size } = await handle.stat()
        if (size > MAX_JOURNAL_BYTES) {
          throw new PushJournalError(`${path} is larger than a push journal can be (${size} bytes)`)
        }
      } finally {
        await handle.close()
      }
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error
      }
    }
    const latest = new Map<number, PushPart>()
    if (text === undefined || text === '') {
      const handle = await open(path, 'a')
      await handle.appendFile(`${JSON.stringify({ kind: 'header', version: 1, ...header })}\n`)
      await handle.sync()
      return new PushJournal(path, handle, latest)
    }
    const lines = text.split('\n')
    const endsClean = text.endsWith('\n')
    let goodBytes = 0
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? ''
      const isLast = i === lines.length - 1 || (i === lines.length - 2 && endsClean)
      if (line === '') {
        continue
      }
      let value: Record<string, unknown>
      try {
        value = JSON.parse(line) as Record<string, unknown>
        if (!endsClean && i === lines.length - 1) {
          throw new Error('torn')
        }
      } catch {
        if (isLast) {
          // A crash tore the last line: drop it.
          await truncate(path, goodBytes)
          break
        }
        throw new PushJournalError(
          `${path} line ${i + 1} is damaged; move the journal aside to start again`
        )
      }
      if (i === 0) {
        checkHeader(path, value, header)
      } else {
        const part = parsePart(value)
        if (!part) {
          throw new PushJournalError(`${path} line ${i + 1} is not a part entry`)
        }
        latest.set(part.index, part)
      }
      goodBytes += Buffer.byteLength(line) + 1
    }
    if (latest.size === 0 && goodBytes === 0) {
      throw new PushJournalError(`${path} has no header`)
    }
    const handle = await open(path, 'a')
    return new PushJournal(path, handle, latest)
  }

  /** The latest entry of part `index`, if any. */
  part(index: number): PushPart | undefined {
    return this.latest.get(index)
  }

  /** Every part's latest entry. */
  parts(): PushPart[] {
    return [...this.latest.values()].sort((a, b) => a.index - b.index)
  }

  /** Records a part's new state and flushes it to disk before resolving. */
  async record(part: Omit<PushPart, 'at'>, at: Date = new Date()): Promise<void> {
    const entry: PushPart = { ...part, at: at.toISOString() }
    await this.handle.appendFile(`${JSON.stringify({ kind: 'part', ...entry })}\n`)
    await this.handle.sync()
    this.latest.set(entry.index, entry)
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

function checkHeader(
  path: string,
  value: Record<string, unknown>,
  header: PushJournalHeader
): void {
  if (value.kind !== 'header' || value.version !== 1) {
    throw new PushJournalError(`${path} is not a push journal`)
  }
  if (value.destination !== header.destination || value.target !== header.target) {
    throw new PushJournalError(
      `${path} is the journal of a push to ${String(value.destination)} ${String(value.target)}, not ${header.destination} ${header.target}; give another --journal`
    )
  }
  const settings = (value.settings ?? {}) as Record<string, unknown>
  for (const [key, expected] of Object.entries(header.settings)) {
    if (settings[key] !== expected) {
      throw new PushJournalError(
        `${path} was written with ${key}=${String(settings[key])}, this push has ${key}=${String(expected)}; resume with the same settings or give another --journal`
      )
    }
  }
}

function parsePart(value: Record<string, unknown>): PushPart | undefined {
  const { index, id, records, state, at } = value
  if (
    value.kind !== 'part' ||
    typeof index !== 'number' ||
    !Number.isInteger(index) ||
    index < 0 ||
    typeof id !== 'string' ||
    typeof records !== 'number' ||
    (state !== 'sending' && state !== 'sent' && state !== 'verified') ||
    typeof at !== 'string'
  ) {
    return undefined
  }
  return { index, id, records, state, at }
}
