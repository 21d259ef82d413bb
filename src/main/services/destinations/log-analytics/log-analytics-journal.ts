/**
 * The journal of a resumable push to Log Analytics (kept apart from the generic
 * ../push-journal.ts, whose fixed parts cannot express a part split after a 413 nor check that a
 * rebuilt part holds the same records; the two are to be reconciled): an append-only NDJSON
 * file, each line fsynced before the step it records is taken or
 * right after it succeeded, so a push killed at any point can be rerun and finish with nothing
 * lost or doubled.
 *
 * A push cuts the source's records (in their stable stored order) into parts, each a contiguous
 * range `[first, first + count)` with a tag the destination stores in every row. The lines:
 * - `run`: the header (destination, target, source); a rerun must name the same three;
 * - `part`: a part is planned (written BEFORE it is sent), with a hash of its record Ids, so a
 *   rerun rebuilds exactly the same part or refuses when the source changed under it;
 * - `split`: a part the destination refused as too large was replaced by two halves;
 * - `sent`: the destination accepted the part;
 * - `verified`: a count query found exactly the part's rows at the destination;
 * - `failed`: the part cannot be sent (a single record over the size limit).
 * A part planned but never marked sent is uncertain: the rerun asks the destination how many rows
 * carry its tag before sending it again. A torn last line (a crash mid-write) is cut on open.
 */
import { createHash } from 'node:crypto'
import { mkdir, open, readFile, stat, truncate } from 'node:fs/promises'
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
  source: z.string().max(2000),
  at: z.string()
})

const Line = z.discriminatedUnion('kind', [
  Header,
  z.object({
    kind: z.literal('part'),
    tag: z.string().max(200),
    parent: z.string().max(200).optional(),
    first: z.number().int().nonnegative(),
    count: z.number().int().positive(),
    bytes: z.number().int().nonnegative(),
    idsSha256: z.string().regex(/^[0-9a-f]{64}$/),
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
  z.object({ kind: z.literal('failed'), tag: z.string(), reason: z.string(), at: z.string() })
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
  idsSha256: string
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
  /** The source, e.g. `store:/path` or `snapshot:<fingerprint>`. */
  source: string
}

/** The journal's header does not match the push asked for. */
export class PushJournalMismatch extends Error {}

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

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    readonly runId: string,
    /** True when the journal existed: this run resumes an earlier one. */
    readonly isResumed: boolean
  ) {}

  /**
   * Opens the journal at `file`, or starts one. An existing journal must be for the same push
   * (else {@link PushJournalMismatch}); a torn last line is cut off.
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
        throw new PushJournalMismatch(
          `${file} is larger than ${MAX_JOURNAL_BYTES} bytes: not a push journal`
        )
      }
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error
      }
    }
    const lines: JournalLine[] = []
    let goodBytes = 0
    let offset = 0
    for (const raw of text.split('\n')) {
      const end = offset + Buffer.byteLength(raw) + 1
      if (end > Buffer.byteLength(text)) {
        break // no newline: torn
      }
      offset = end
      if (raw === '') {
        goodBytes = end
        continue
      }
      let parsed: ReturnType<typeof Line.safeParse>
      try {
        parsed = Line.safeParse(JSON.parse(raw))
      } catch {
        break
      }
      if (!parsed.success) {
        break
      }
      lines.push(parsed.data)
      goodBytes = end
    }
    if (goodBytes < Buffer.byteLength(text)) {
      await truncate(file, goodBytes)
    }
    const header = lines[0]
    if (lines.length > 0 && header?.kind !== 'run') {
      throw new PushJournalMismatch(`${file} does not begin with a run header: not a push journal`)
    }
    if (header?.kind === 'run') {
      for (const key of ['destination', 'target', 'source'] as const) {
        if (header[key] !== identity[key]) {
          throw new PushJournalMismatch(
            `${file} is the journal of another push (its ${key} is ${header[key]}, not ${identity[key]}); give another --journal or delete it`
          )
        }
      }
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

  /** Every part, halves included. */
  all(): JournalPart[] {
    return [...this.parts.values()]
  }

  /** Where the next new top-level part starts. */
  nextFirst(): number {
    return this.topLevel().reduce((n, p) => Math.max(n, p.first + p.count), 0)
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
      case 'part': {
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
