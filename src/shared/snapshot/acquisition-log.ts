import { canonicalJson } from './canonical-json'
import { sha256HexOfText } from './sha256'
import type { Sha256Factory } from './sha256'

/**
 * The acquisition log: an append-only, hash-chained record of how the evidence was gathered
 * (who, when, source, parameters, counts). Each entry carries the SHA-256 of the previous entry's
 * canonical JSON, so an edited, removed or reordered entry breaks the chain at a named place.
 */

/** SHA-256 of "no previous entry". */
export const GENESIS_SHA256 = '0'.repeat(64)

/** One log entry. */
export interface AcquisitionLogEntry {
  /** 1-based position in the chain. */
  seq: number
  /** When it happened, UTC ISO 8601. */
  at: string
  /** Who: the operator (user name, UPN or `cax` run by a service account). */
  actor: string
  /** What: `import`, `pull`, `snapshot`, `annotate`… */
  action: string
  /** From where: file name, tenant + endpoint, store folder. */
  source: string
  /** The parameters of the action (time range, filters, format…); plain JSON. */
  parameters: Record<string, unknown>
  /** Counts (records, new, duplicates, rejected, gaps…). */
  counts: Record<string, number>
  /** SHA-256 of the previous entry (hex), {@link GENESIS_SHA256} for the first. */
  prevSha256: string
}

/** What a caller supplies for a new entry; the chain fills `seq` and `prevSha256`. */
export type AcquisitionLogInput = Omit<AcquisitionLogEntry, 'seq' | 'prevSha256'>

/** The line form of an entry (canonical JSON, no newline): what is hashed and stored. */
export function encodeLogEntry(entry: AcquisitionLogEntry): string {
  return canonicalJson(entry)
}

/** SHA-256 of an entry's canonical form. */
export function logEntrySha256(entry: AcquisitionLogEntry, sha256: Sha256Factory): string {
  return sha256HexOfText(encodeLogEntry(entry), sha256)
}

/** Appends an entry to a chain (returns the new entry; the chain array is not changed). */
export function nextLogEntry(
  chain: readonly AcquisitionLogEntry[],
  input: AcquisitionLogInput,
  sha256: Sha256Factory
): AcquisitionLogEntry {
  const last = chain[chain.length - 1]
  return {
    ...input,
    seq: chain.length + 1,
    prevSha256: last ? logEntrySha256(last, sha256) : GENESIS_SHA256
  }
}

/** One break in a chain, with the 1-based line it was found on. */
export interface LogChainProblem {
  line: number
  message: string
}

/** The outcome of {@link checkLogChain}. */
export interface LogChainResult {
  entries: AcquisitionLogEntry[]
  problems: LogChainProblem[]
  /** SHA-256 of the last entry's line as stored, or GENESIS_SHA256 when empty. */
  headSha256: string
}

function asEntry(value: unknown): AcquisitionLogEntry | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'not a JSON object'
  }
  const o = value as Record<string, unknown>
  const strings = ['at', 'actor', 'action', 'source', 'prevSha256'] as const
  for (const k of strings) {
    if (typeof o[k] !== 'string') {
      return `"${k}" is missing or not a string`
    }
  }
  if (typeof o.seq !== 'number' || !Number.isInteger(o.seq)) {
    return '"seq" is missing or not an integer'
  }
  if (typeof o.parameters !== 'object' || o.parameters === null) {
    return '"parameters" is missing'
  }
  if (typeof o.counts !== 'object' || o.counts === null) {
    return '"counts" is missing'
  }
  return o as unknown as AcquisitionLogEntry
}

/**
 * Checks a log's text (one entry per line): every line is canonical JSON of a well-formed entry,
 * sequence numbers run 1, 2, 3…, and each entry's `prevSha256` is the SHA-256 of the line before.
 * Reports every break with its line; never throws on bad input.
 */
export function checkLogChain(text: string, sha256: Sha256Factory): LogChainResult {
  const entries: AcquisitionLogEntry[] = []
  const problems: LogChainProblem[] = []
  let prev = GENESIS_SHA256
  if (text !== '' && !text.endsWith('\n')) {
    problems.push({ line: text.split('\n').length, message: 'the last entry has no line end' })
  }
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n')
  lines.forEach((line, index) => {
    const n = index + 1
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      problems.push({ line: n, message: `entry ${n} is not JSON` })
      prev = sha256HexOfText(line, sha256)
      return
    }
    const entry = asEntry(parsed)
    if (typeof entry === 'string') {
      problems.push({ line: n, message: `entry ${n}: ${entry}` })
      prev = sha256HexOfText(line, sha256)
      return
    }
    if (canonicalJson(entry) !== line) {
      problems.push({ line: n, message: `entry ${n} is not in canonical form (edited by hand?)` })
    }
    if (entry.seq !== n) {
      problems.push({
        line: n,
        message: `entry ${n} has seq ${entry.seq}: entries were removed, added or reordered`
      })
    }
    if (entry.prevSha256 !== prev) {
      problems.push({
        line: n,
        message:
          n === 1
            ? `entry 1 does not start the chain (prevSha256 ${entry.prevSha256.slice(0, 12)}…)`
            : `entry ${n} does not chain to entry ${n - 1}: entry ${n - 1} was edited, or entries were removed or reordered`
      })
    }
    entries.push(entry)
    prev = sha256HexOfText(line, sha256)
  })
  return { entries, problems, headSha256: prev }
}
