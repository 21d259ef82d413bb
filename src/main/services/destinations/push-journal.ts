/**
 * The journal of a resumable push to a remote engine (Log Analytics, Azure Data Explorer): an
 * append-only NDJSON file, each line fsynced before the step it records is taken or right after
 * it succeeded, so a push killed at any point can be rerun and finish with nothing lost or
 * doubled.
 *
 * A push cuts the source's records (in their stable stored order) into parts, each a contiguous
 * range `[first, first + count)` with a tag the destination stores in every row. The lines:
 * - `run`: the header (destination, target, source, and the settings that decide how records
 *   are cut into parts); a rerun must name the same;
 * - `part`: a part is planned (written BEFORE it is sent), with a hash of its record Ids, so a
 *   rerun rebuilds exactly the same part or refuses when the source changed under it;
 * - `split`: a part the destination refused as too large was replaced by two halves;
 * - `sent`: the destination accepted the part;
 * - `verified`: a count query found exactly the part's rows at the destination;
 * - `failed`: the part cannot be sent (a single record over the size limit);
 * - `complete`: every part planned so far is verified (written at the end of a push that
 *   finished so). The journal stays as the record of what was sent; a part planned after it
 *   (a store that grew) makes the journal incomplete again until its push finishes.
 * A part planned but never marked sent is uncertain: the rerun asks the destination how many rows
 * carry its tag before sending it again. A torn last line (a crash mid-write) is cut on open; a
 * damaged line before it is refused (it would hide what happened after it).
 *
 * Journals of `cax push adx` written before this format (a `header` line, then `part` lines
 * with an index, an id and a state) are rewritten into it when opened (see {@link migrateV1}).
 */
import { createHash } from 'node:crypto'
import { mkdir, open, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'

import { z } from 'zod'

/** Largest journal read on open (a million records make a few MB). */
const MAX_JOURNAL_BYTES = 256 * 1024 * 1024

const Header = z.object({
  kind: z.literal('run'),
  version: z.literal(1),
  runId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  destination: z.string().max(200),
  target: z.string().max(2000),
  source: z.string().max(2000).optional(),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  at: z.string()
})

const Settings = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))

const Line = z.discriminatedUnion('kind', [
  Header,
  z.object({
    kind: z.literal('part'),
    tag: z.string().max(200),
    parent: z.string().max(200).optional(),
    first: z.number().int().nonnegative(),
    count: z.number().int().positive(),
    bytes: z.number().int().nonnegative(),
    /** Absent only on parts carried over from a journal of the earlier format. */
    idsSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    at: z.string()
  }),
  z.object({ kind: z.literal('split'), tag: z.string(), at: z.string() }),
  z.object({ kind: z.literal('sent'), tag: z.string(), at: z.string() }),
  z.object({
    kind: z.literal('verified'),
    tag: z.string(),
    count: z.number().int().nonnegative(),
    at: z.string()
  }),
  z.object({ kind: z.literal('failed'), tag: z.string(), reason: z.string(), at: z.string() }),
  z.object({
    kind: z.literal('complete'),
    /** Records in the verified parts. */
    records: z.number().int().nonnegative(),
    /** Parts verified (halves of a split counted, not their parent). */
    parts: z.number().int().nonnegative(),
    at: z.string()
  })
])
export type JournalLine = z.infer<typeof Line>

/** Where a part stands. */
export type PartStatus = 'planned' | 'split' | 'sent' | 'verified' | 'failed'

/** A planned part and its state, as the journal tells it. */
export interface JournalPart {
  tag: string
  /** The part this one is a half of, after a 413. */
  parent: string | undefined
  first: number
  count: number
  bytes: number
  /** SHA-256 of its record Ids (absent on parts carried over from the earlier format). */
  idsSha256: string | undefined
  status: PartStatus
  /** When it was planned (ISO). */
  plannedAt: string
  /** Its halves, once split. */
  children: string[]
  failure: string | undefined
}

/** What a push is: the destination kind, where exactly, and what is pushed. */
export interface PushIdentity {
  /** `loganalytics`, `adx`. */
  destination: string
  /** The exact target, e.g. `<endpoint>|<rule id>|<stream>`. */
  target: string
  /**
   * The source, e.g. `store:/path`; left out where parts are named by their content (ADX), so
   * the same records pushed from a moved store resume the same journal.
   */
  source?: string
  /** Settings that decide how records are cut into parts: a resume must cut them the same way. */
  settings?: Record<string, string | number | boolean>
}

/** A journal that belongs to another push, or a damaged one. */
export class PushJournalError extends Error {}

/** SHA-256 (hex) of a part's record Ids, in order. */
export function idsDigest(ids: readonly string[]): string {
  const hash = createHash('sha256')
  for (const id of ids) {
    hash.update(id)
    hash.update('\n')
  }
  return hash.digest('hex')
}

/** An open push journal. */
export class PushJournal {
  private readonly parts = new Map<string, JournalPart>()
  private chain: Promise<void> = Promise.resolve()
  private completed: string | undefined

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    readonly runId: string,
    /** True when the journal existed: this run resumes an earlier one. */
    readonly isResumed: boolean
  ) {}

  /**
   * Opens the journal at `file`, or starts one. An existing journal must be for the same push
   * (else {@link PushJournalError}); a torn last line is cut off.
   */
  static async open(
    file: string,
    identity: PushIdentity,
    newRunId: () => string,
    now: () => Date = () => new Date()
  ): Promise<PushJournal> {
    await mkdir(dirname(file), { recursive: true })
    let text = ''
    try {
      const info = await stat(file)
      if (info.size > MAX_JOURNAL_BYTES) {
        throw new PushJournalError(
          `${file} is larger than ${MAX_JOURNAL_BYTES} bytes: not a push journal`
        )
      }
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error
      }
    }
    text = await migrateV1(file, text, identity, newRunId, now)
    const lines: JournalLine[] = []
    const total = Buffer.byteLength(text)
    let goodBytes = 0
    let offset = 0
    let lineNo = 0
    for (const raw of text.split('\n')) {
      lineNo++
      const end = offset + Buffer.byteLength(raw) + 1
      if (end > total) {
        break // no newline: torn
      }
      offset = end
      if (raw === '') {
        goodBytes = end
        continue
      }
      const line = parseLine(raw)
      if (!line) {
        if (end < total) {
          throw new PushJournalError(
            `${file} line ${lineNo} is damaged; move the journal aside to start again`
          )
        }
        break // the last line, torn by a crash mid-write
      }
      lines.push(line)
      goodBytes = end
    }
    if (goodBytes < total) {
      await truncate(file, goodBytes)
    }
    const header = lines[0]
    if (lines.length > 0 && header?.kind !== 'run') {
      throw new PushJournalError(`${file} does not begin with a run header: not a push journal`)
    }
    if (header?.kind === 'run') {
      checkHeader(file, header, identity)
    }
    const handle = await open(file, 'a', 0o600)
    const journal = new PushJournal(
      file,
      handle,
      header?.kind === 'run' ? header.runId : newRunId(),
      header?.kind === 'run'
    )
    if (header?.kind === 'run') {
      for (const line of lines.slice(1)) {
        journal.apply(line)
      }
    } else {
      await journal.append({
        kind: 'run',
        version: 1,
        runId: journal.runId,
        ...identity,
        at: now().toISOString()
      })
    }
    return journal
  }

  /** The journal file. */
  get path(): string {
    return this.file
  }

  /** Top-level parts (not halves), in source order. */
  topLevel(): JournalPart[] {
    return [...this.parts.values()]
      .filter((p) => p.parent === undefined)
      .sort((a, b) => a.first - b.first)
  }

  /** A part by tag. */
  part(tag: string): JournalPart | undefined {
    return this.parts.get(tag)
  }

  /** The top-level part starting at record `first`, if one was planned. */
  partAt(first: number): JournalPart | undefined {
    return this.topLevel().find((p) => p.first === first)
  }

  /** Every part, halves included. */
  all(): JournalPart[] {
    return [...this.parts.values()]
  }

  /** Where the next new top-level part starts. */
  nextFirst(): number {
    return this.topLevel().reduce((n, p) => Math.max(n, p.first + p.count), 0)
  }

  /** When the journal was marked complete (ISO), unless a part was planned since. */
  get completedAt(): string | undefined {
    return this.completed
  }

  /** True when every part is verified (a split part counts by its halves). */
  isEveryPartVerified(): boolean {
    return this.all().every((p) => p.status === 'verified' || p.status === 'split')
  }

  /**
   * Writes the `complete` line when every part is verified and it is not written yet (since the
   * last part planned); returns whether the journal is complete now.
   */
  async markComplete(now: () => Date = () => new Date()): Promise<boolean> {
    if (!this.isEveryPartVerified()) {
      return false
    }
    if (this.completed === undefined) {
      const leaves = this.all().filter((p) => p.status === 'verified')
      await this.append({
        kind: 'complete',
        records: leaves.reduce((n, p) => n + p.count, 0),
        parts: leaves.length,
        at: now().toISOString()
      })
    }
    return true
  }

  /** Appends a line durably (fsync) and applies it. */
  async append(line: JournalLine): Promise<void> {
    const write = this.chain.then(async () => {
      await this.handle.appendFile(`${JSON.stringify(line)}\n`, 'utf8')
      await this.handle.datasync()
    })
    this.chain = write.catch(() => undefined)
    await write
    this.apply(line)
  }

  async close(): Promise<void> {
    await this.chain
    await this.handle.close()
  }

  private apply(line: JournalLine): void {
    switch (line.kind) {
      case 'run':
        return
      case 'complete':
        this.completed = line.at
        return
      case 'part': {
        this.completed = undefined
        this.parts.set(line.tag, {
          tag: line.tag,
          parent: line.parent,
          first: line.first,
          count: line.count,
          bytes: line.bytes,
          idsSha256: line.idsSha256,
          status: 'planned',
          plannedAt: line.at,
          children: [],
          failure: undefined
        })
        const parent = line.parent !== undefined ? this.parts.get(line.parent) : undefined
        if (parent && !parent.children.includes(line.tag)) {
          // A split written again after a torn one names the same halves.
          parent.children.push(line.tag)
        }
        return
      }
      default: {
        const part = this.parts.get(line.tag)
        if (!part) {
          return
        }
        part.status = line.kind
        if (line.kind === 'failed') {
          part.failure = line.reason
        }
      }
    }
  }
}

/**
 * When the journal at `file` was marked complete (ISO), or undefined: not complete (a part
 * planned after its last `complete` line, or none), not a journal, unreadable or too large.
 */
export async function journalCompletedAt(file: string): Promise<string | undefined> {
  try {
    if ((await stat(file)).size > MAX_JOURNAL_BYTES) {
      return undefined
    }
    let completed: string | undefined
    for (const raw of (await readFile(file, 'utf8')).split('\n')) {
      const line = raw === '' ? undefined : parseLine(raw)
      if (line?.kind === 'complete') {
        completed = line.at
      } else if (line?.kind === 'part') {
        completed = undefined
      }
    }
    return completed
  } catch {
    return undefined
  }
}

function parseLine(raw: string): JournalLine | undefined {
  try {
    const parsed = Line.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

function checkHeader(
  file: string,
  header: Extract<JournalLine, { kind: 'run' }>,
  identity: PushIdentity
): void {
  for (const key of ['destination', 'target', 'source'] as const) {
    if (header[key] !== identity[key]) {
      throw new PushJournalError(
        `${file} is the journal of a push to ${header.destination} ${header.target}${header.source !== undefined ? ` from ${header.source}` : ''} (its ${key} is ${String(header[key])}, not ${String(identity[key])}); give another --journal or delete it`
      )
    }
  }
  for (const [key, expected] of Object.entries(identity.settings ?? {})) {
    const written = header.settings?.[key]
    if (written !== expected) {
      throw new PushJournalError(
        `${file} was written with ${key}=${String(written)}, this push has ${key}=${String(expected)}; resume with the same settings or give another --journal`
      )
    }
  }
}

/** A journal line of the earlier format (`cax push adx` before the journals were one). */
const V1Header = z.object({
  kind: z.literal('header'),
  version: z.literal(1),
  destination: z.string().max(200),
  target: z.string().max(2000),
  settings: Settings.optional()
})
const V1Part = z.object({
  kind: z.literal('part'),
  index: z.number().int().nonnegative(),
  id: z.string().max(200),
  records: z.number().int().positive(),
  state: z.enum(['sending', 'sent', 'verified']),
  at: z.string()
})

/**
 * Rewrites a journal of the earlier format (a `header` line; `part` lines with index, id,
 * records and the latest state) into this one, atomically (a new file renamed over the old),
 * and returns the new text; any other text is returned as it is. Parts were cut in index order,
 * so a part's first record is the sum of the records before it. A torn last line is dropped; a
 * damaged line before it is refused.
 */
async function migrateV1(
  file: string,
  text: string,
  identity: PushIdentity,
  newRunId: () => string,
  now: () => Date
): Promise<string> {
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : text.length)
  let header: z.infer<typeof V1Header>
  try {
    const parsed = V1Header.safeParse(JSON.parse(firstLine))
    if (!parsed.success) {
      return text
    }
    header = parsed.data
  } catch {
    return text
  }
  const rows = text.split('\n')
  const latest = new Map<number, z.infer<typeof V1Part>>()
  for (let i = 1; i < rows.length; i++) {
    const raw = rows[i] ?? ''
    if (raw === '') {
      continue
    }
    let part: z.infer<typeof V1Part> | undefined
    try {
      const parsed = V1Part.safeParse(JSON.parse(raw))
      part = parsed.success ? parsed.data : undefined
    } catch {
      part = undefined
    }
    if (!part) {
      if (i === rows.length - 1) {
        break // torn by a crash
      }
      throw new PushJournalError(
        `${file} line ${i + 1} is damaged; move the journal aside to start again`
      )
    }
    latest.set(part.index, part)
  }
  const at = now().toISOString()
  const lines: JournalLine[] = [
    {
      kind: 'run',
      version: 1,
      runId: newRunId(),
      destination: header.destination,
      target: header.target,
      ...(identity.source !== undefined ? { source: identity.source } : {}),
      ...(header.settings !== undefined ? { settings: header.settings } : {}),
      at
    }
  ]
  let first = 0
  for (const part of [...latest.values()].sort((a, b) => a.index - b.index)) {
    lines.push({ kind: 'part', tag: part.id, first, count: part.records, bytes: 0, at: part.at })
    if (part.state !== 'sending') {
      lines.push({ kind: 'sent', tag: part.id, at: part.at })
    }
    if (part.state === 'verified') {
      lines.push({ kind: 'verified', tag: part.id, count: part.records, at: part.at })
    }
    first += part.records
  }
  const migrated = lines.map((l) => `${JSON.stringify(l)}\n`).join('')
  const temporary = `${file}.migrating`
  await writeFile(temporary, migrated, { mode: 0o600 })
  await rename(temporary, file)
  return migrated
}
