import { checkLogChain } from './acquisition-log'
import { parseManifest } from './manifest'
import type { SnapshotManifest } from './manifest'
import type { Sha256Factory } from './sha256'
import { HASHED_PARTS, SNAPSHOT_PARTS } from './snapshot-format'

/**
 * Snapshot verification as pure logic over what a reader observed in the container. It detects
 * any change — a byte in a part, a removed or added part, an edited or reordered log entry, a
 * manifest edit — and names exactly what failed.
 */

/** Why verification failed, one code per kind of finding. */
export type VerificationCode =
  | 'container-unreadable'
  | 'container-refused'
  | 'part-too-large'
  | 'part-ratio-too-high'
  | 'part-line-too-long'
  | 'manifest-missing'
  | 'manifest-invalid'
  | 'manifest-edited'
  | 'part-missing'
  | 'part-unexpected'
  | 'part-duplicated'
  | 'part-unreadable'
  | 'part-size-mismatch'
  | 'part-hash-mismatch'
  | 'record-count-mismatch'
  | 'log-chain-broken'
  | 'log-head-mismatch'
  | 'fingerprint-mismatch'

/** One finding, naming the part it concerns (`manifest.json` for manifest problems). */
export interface VerificationFailure {
  part: string
  code: VerificationCode
  message: string
}

/** What a reader saw of one part while streaming it. */
export interface PartObservation {
  size: number
  sha256: string
  /** Number of `\n` bytes (records part: one per record). */
  lineCount: number
  /** Set when the part could not be read to the end (bad compression, size mismatch). */
  error?: string
  /**
   * Set when the part was not inflated because a check before inflating refused it (its failure
   * is among {@link SnapshotObservations.preflightFailures}).
   */
  isRefused?: boolean
}

/** Everything {@link verifySnapshotObservations} needs. */
export interface SnapshotObservations {
  /** Entry names in the container, in order, duplicates included. */
  entryNames: string[]
  /** The manifest text, or null when there is no manifest part or it was unreadable. */
  manifestText: string | null
  manifestError?: string
  /** Observations of every other part, by name. */
  parts: ReadonlyMap<string, PartObservation>
  /** The acquisition log's text, or null when missing or unreadable. */
  acquisitionLogText: string | null
  /** The fingerprint the sender handed over, to compare (optional). */
  expectedFingerprint?: string
  /** Failures found before inflating (central directory, limits, declared sizes). */
  preflightFailures?: readonly VerificationFailure[]
}

/** The verification report. */
export interface VerificationReport {
  ok: boolean
  /** The snapshot's fingerprint (manifest SHA-256) when the manifest could be read. */
  fingerprint: string | null
  manifest: SnapshotManifest | null
  failures: VerificationFailure[]
  /** Parts whose size and hash matched. */
  verifiedParts: string[]
}

/** Checks observations against the manifest (see {@link VerificationReport}). */
export function verifySnapshotObservations(
  obs: SnapshotObservations,
  sha256: Sha256Factory
): VerificationReport {
  const failures: VerificationFailure[] = []
  const verifiedParts: string[] = []
  const fail = (part: string, code: VerificationCode, message: string): void => {
    failures.push({ part, code, message })
  }
  const M = SNAPSHOT_PARTS.manifest
  const preflight = obs.preflightFailures ?? []
  failures.push(...preflight)
  const isReported = (part: string, code: VerificationCode): boolean =>
    preflight.some((f) => f.part === part && f.code === code)

  const counts = new Map<string, number>()
  for (const name of obs.entryNames) {
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  for (const [name, n] of counts) {
    if (n > 1 && !isReported(name, 'part-duplicated')) {
      fail(name, 'part-duplicated', `${name} appears ${n} times in the container`)
    }
  }

  let manifest: SnapshotManifest | null = null
  if (obs.manifestText === null) {
    if (preflight.some((f) => f.part === M || f.part === '(container)')) {
      // Already reported: the manifest was not read.
    } else if (counts.has(M)) {
      fail(M, 'manifest-invalid', `${M} could not be read: ${obs.manifestError ?? 'unknown error'}`)
    } else {
      fail(M, 'manifest-missing', `${M} is missing: the snapshot cannot be verified`)
    }
  } else {
    const parsed = parseManifest(obs.manifestText, sha256)
    if (!parsed.ok) {
      for (const p of parsed.problems) {
        fail(M, 'manifest-invalid', p)
      }
    } else {
      manifest = parsed.manifest
      for (const p of parsed.problems) {
        fail(M, 'manifest-edited', p)
      }
    }
  }

  const listed = new Set(manifest ? manifest.parts.map((p) => p.name) : HASHED_PARTS)
  for (const name of counts.keys()) {
    if (name !== M && !listed.has(name) && !isReported(name, 'part-unexpected')) {
      fail(name, 'part-unexpected', `${name} is in the container but not in the manifest (added)`)
    }
  }
  if (manifest) {
    for (const required of HASHED_PARTS) {
      if (!manifest.parts.some((p) => p.name === required)) {
        fail(M, 'manifest-edited', `the manifest does not list ${required}`)
      }
    }
    for (const part of manifest.parts) {
      const seen = obs.parts.get(part.name)
      if (seen?.isRefused) {
        continue
      }
      if (!seen) {
        fail(
          part.name,
          'part-missing',
          `${part.name} is listed in the manifest but missing (removed)`
        )
        continue
      }
      if (seen.error !== undefined) {
        fail(part.name, 'part-unreadable', `${part.name} could not be read: ${seen.error}`)
        continue
      }
      let isGood = true
      if (seen.size !== part.size) {
        isGood = false
        fail(
          part.name,
          'part-size-mismatch',
          `${part.name} is ${seen.size} bytes; the manifest says ${part.size}`
        )
      }
      if (seen.sha256 !== part.sha256) {
        isGood = false
        fail(
          part.name,
          'part-hash-mismatch',
          `${part.name} SHA-256 ${seen.sha256.slice(0, 12)}… does not match the manifest's ${part.sha256.slice(0, 12)}…: its content changed`
        )
      }
      if (isGood) {
        verifiedParts.push(part.name)
      }
    }
    const records = obs.parts.get(SNAPSHOT_PARTS.records)
    if (
      records &&
      records.error === undefined &&
      !records.isRefused &&
      records.lineCount !== manifest.recordCount
    ) {
      fail(
        SNAPSHOT_PARTS.records,
        'record-count-mismatch',
        `${SNAPSHOT_PARTS.records} holds ${records.lineCount} records; the manifest says ${manifest.recordCount}`
      )
    }
  }

  const L = SNAPSHOT_PARTS.acquisitionLog
  if (obs.acquisitionLogText !== null) {
    const chain = checkLogChain(obs.acquisitionLogText, sha256)
    for (const p of chain.problems) {
      fail(L, 'log-chain-broken', `${L} line ${p.line}: ${p.message}`)
    }
    if (manifest) {
      if (chain.headSha256 !== manifest.acquisitionLogHeadSha256) {
        fail(
          L,
          'log-head-mismatch',
          `${L}: the last entry does not match the head recorded in the manifest (entries edited, removed or added at the end)`
        )
      }
      if (chain.entries.length !== manifest.acquisitionLogEntryCount) {
        fail(
          L,
          'log-chain-broken',
          `${L} holds ${chain.entries.length} entries; the manifest says ${manifest.acquisitionLogEntryCount}`
        )
      }
    }
  }

  const fingerprint = manifest?.manifestSha256 ?? null
  if (obs.expectedFingerprint !== undefined) {
    const expected = obs.expectedFingerprint.trim().toLowerCase()
    if (fingerprint !== expected) {
      fail(
        M,
        'fingerprint-mismatch',
        `fingerprint ${fingerprint ?? '(none)'} is not the expected ${expected}`
      )
    }
  }
  const failedParts = new Set(failures.map((f) => f.part))
  return {
    ok: failures.length === 0,
    fingerprint,
    manifest,
    failures,
    verifiedParts: verifiedParts.filter((p) => !failedParts.has(p))
  }
}
