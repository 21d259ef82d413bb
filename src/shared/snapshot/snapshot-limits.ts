import type { SnapshotManifest } from './manifest'
import { HASHED_PARTS, SNAPSHOT_PARTS } from './snapshot-format'
import type { VerificationFailure } from './verify-snapshot'

/**
 * Bounds on reading a snapshot (issue 10 item 4). A snapshot comes from someone else, so nothing
 * in it is inflated before the zip's central directory and the manifest have been checked against
 * these limits: a file of a few KB that claims (or would inflate) to gigabytes is refused before a
 * single byte of it is decompressed.
 */
export interface SnapshotLimits {
  /** Entries in the zip's central directory (the format has 5; a few more are named as unexpected). */
  maxEntries: number
  /** The snapshot file itself, compressed. */
  maxFileBytes: number
  /** Uncompressed bytes per part, by part name (the manifest included). */
  maxPartBytes: Readonly<Record<string, number>>
  /** Uncompressed bytes of all parts together. */
  maxTotalBytes: number
  /** Largest uncompressed:compressed ratio of one part; deflate itself cannot exceed ~1,032:1. */
  maxRatio: number
  /** Parts smaller than this are not held to {@link maxRatio} (a tiny part is harmless). */
  ratioExemptBytes: number
  /** Longest line of an NDJSON part (records, acquisition log), newline excluded. */
  maxLineBytes: number
}

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/**
 * The limits the app and `cax` apply. A million audit records make a records part of 1.5–3 GB
 * that deflates 8–20:1; the largest audit record Microsoft documents is far below 16 MiB.
 */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  maxEntries: 16,
  maxFileBytes: 16 * GiB,
  maxPartBytes: {
    [SNAPSHOT_PARTS.records]: 32 * GiB,
    [SNAPSHOT_PARTS.ledger]: 256 * MiB,
    [SNAPSHOT_PARTS.annotations]: 256 * MiB,
    [SNAPSHOT_PARTS.acquisitionLog]: 64 * MiB,
    [SNAPSHOT_PARTS.manifest]: 1 * MiB
  },
  maxTotalBytes: 33 * GiB,
  maxRatio: 200,
  ratioExemptBytes: 1 * MiB,
  maxLineBytes: 16 * MiB
}

/** One entry as the zip's central directory declares it (nothing inflated yet). */
export interface DeclaredEntry {
  name: string
  compressedSize: number
  uncompressedSize: number
  /** 0 stored, 8 deflated; anything else is refused. */
  compressionMethod: number
  isEncrypted: boolean
  localHeaderOffset: number
}

/** What {@link checkDeclaredEntries} decided. */
export interface DeclaredCheck {
  failures: VerificationFailure[]
  /** True when the container as a whole is refused: no part may be inflated. */
  isRefused: boolean
  /** Parts that may be inflated (known, unique, within their limits). */
  readable: Set<string>
}

const KNOWN_PARTS = new Set<string>([...HASHED_PARTS, SNAPSHOT_PARTS.manifest])

const n = (value: number): string => value.toLocaleString('en-US')

/**
 * Checks the central directory before anything is inflated: entry count, names (only the
 * format's parts, each once), compression method, entries inside the file and not overlapping
 * (the "overlapping files" zip bomb), declared sizes against the per-part and total limits, and
 * the compression ratio. Pure: the reader passes what yauzl parsed.
 */
export function checkDeclaredEntries(
  entries: readonly DeclaredEntry[],
  fileSize: number,
  limits: SnapshotLimits
): DeclaredCheck {
  const failures: VerificationFailure[] = []
  const readable = new Set<string>()
  const refuse = (message: string): DeclaredCheck => ({
    failures: [...failures, { part: '(container)', code: 'container-refused', message }],
    isRefused: true,
    readable: new Set()
  })
  if (fileSize > limits.maxFileBytes) {
    return refuse(
      `the file is ${n(fileSize)} bytes; snapshots are read up to ${n(limits.maxFileBytes)} bytes`
    )
  }
  if (entries.length > limits.maxEntries) {
    return refuse(
      `the zip holds ${n(entries.length)} entries; a snapshot has ${KNOWN_PARTS.size} (at most ${limits.maxEntries} are read)`
    )
  }
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!
    // 30 bytes of local header and the name (at least one byte per character) come before the
    // data; the local extra field is not known yet, so this is a lower bound.
    const dataEnd = e.localHeaderOffset + 30 + e.name.length + e.compressedSize
    if (dataEnd > fileSize) {
      return refuse(`${e.name} claims data beyond the end of the file`)
    }
    const next = byOffset[i + 1]
    if (next && dataEnd > next.localHeaderOffset) {
      return refuse(
        `${e.name} and ${next.name} overlap in the file (an "overlapping files" zip bomb)`
      )
    }
  }
  let total = 0
  for (const e of entries) {
    total += e.uncompressedSize
  }
  if (total > limits.maxTotalBytes) {
    return refuse(
      `its parts would inflate to ${n(total)} bytes; snapshots are read up to ${n(limits.maxTotalBytes)} bytes`
    )
  }

  const counts = new Map<string, number>()
  for (const e of entries) {
    counts.set(e.name, (counts.get(e.name) ?? 0) + 1)
  }
  for (const [name, count] of counts) {
    if (!KNOWN_PARTS.has(name)) {
      failures.push({
        part: name,
        code: 'part-unexpected',
        message: `${name} is in the container but is not a part of the snapshot format (added)`
      })
    } else if (count > 1) {
      failures.push({
        part: name,
        code: 'part-duplicated',
        message: `${name} appears ${count} times in the container`
      })
    }
  }
  for (const e of entries) {
    if (!KNOWN_PARTS.has(e.name) || counts.get(e.name) !== 1) {
      continue
    }
    const fail = (code: VerificationFailure['code'], message: string): void => {
      failures.push({ part: e.name, code, message })
    }
    if (e.isEncrypted || (e.compressionMethod !== 0 && e.compressionMethod !== 8)) {
      fail(
        'part-unreadable',
        `${e.name} is ${e.isEncrypted ? 'encrypted' : `compressed with method ${e.compressionMethod}`}; snapshots use deflate or no compression`
      )
      continue
    }
    const limit = limits.maxPartBytes[e.name] ?? 0
    if (e.uncompressedSize > limit) {
      fail(
        'part-too-large',
        `${e.name} would inflate to ${n(e.uncompressedSize)} bytes; the limit for this part is ${n(limit)} bytes`
      )
      continue
    }
    if (
      e.uncompressedSize > limits.ratioExemptBytes &&
      e.uncompressedSize > e.compressedSize * limits.maxRatio
    ) {
      const ratio = e.compressedSize > 0 ? Math.round(e.uncompressedSize / e.compressedSize) : '∞'
      fail(
        'part-ratio-too-high',
        `${e.name} would inflate ${n(e.compressedSize)} bytes to ${n(e.uncompressedSize)} (${typeof ratio === 'number' ? n(ratio) : ratio}:1; the limit is ${limits.maxRatio}:1): refused as a zip bomb`
      )
      continue
    }
    readable.add(e.name)
  }
  return { failures, isRefused: false, readable }
}

/**
 * Compares what the central directory declares with what the manifest lists, before the parts
 * are inflated: the manifest must list exactly the format's parts, each once, and each part's
 * declared uncompressed size must be the manifest's size. Returns failures; parts that fail are
 * removed from `readable`.
 */
export function checkDeclaredAgainstManifest(
  entries: readonly DeclaredEntry[],
  manifest: SnapshotManifest,
  readable: Set<string>
): VerificationFailure[] {
  const failures: VerificationFailure[] = []
  const M = SNAPSHOT_PARTS.manifest
  const listed = new Map<string, number>()
  for (const part of manifest.parts) {
    listed.set(part.name, (listed.get(part.name) ?? 0) + 1)
  }
  for (const [name, count] of listed) {
    if (!HASHED_PARTS.includes(name)) {
      failures.push({
        part: M,
        code: 'manifest-invalid',
        message: `the manifest lists ${name}, which is not a part of the snapshot format`
      })
    } else if (count > 1) {
      failures.push({
        part: M,
        code: 'manifest-invalid',
        message: `the manifest lists ${name} ${count} times`
      })
    }
  }
  for (const part of manifest.parts) {
    const entry = entries.find((e) => e.name === part.name)
    if (!entry || !readable.has(part.name)) {
      continue
    }
    if (entry.uncompressedSize !== part.size) {
      readable.delete(part.name)
      failures.push({
        part: part.name,
        code: 'part-size-mismatch',
        message: `${part.name} is declared as ${n(entry.uncompressedSize)} bytes in the zip; the manifest says ${n(part.size)} (not inflated)`
      })
    }
  }
  return failures
}
