import { z } from 'zod'

import { canonicalJson } from './canonical-json'
import { sha256HexOfText } from './sha256'
import type { Sha256Factory } from './sha256'
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION } from './snapshot-format'

/**
 * The snapshot manifest: what the other parts must hash to, plus counts and versions. It is
 * written in canonical JSON with its own SHA-256 (`manifestSha256`, over the canonical JSON of
 * everything else); that hash is the snapshot's fingerprint, to be compared out of band.
 */

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex')

/** One hashed part. */
export const ManifestPart = z.object({
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: Hex64
})
/** One hashed part. */
export type ManifestPart = z.infer<typeof ManifestPart>

/** The manifest, as stored. */
export const SnapshotManifest = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  formatVersion: z.number().int().positive(),
  appVersion: z.string(),
  createdAt: z.string(),
  recordCount: z.number().int().nonnegative(),
  annotationCount: z.number().int().nonnegative(),
  ledgerEntryCount: z.number().int().nonnegative(),
  acquisitionLogEntryCount: z.number().int().nonnegative(),
  /** SHA-256 of the last acquisition-log entry: the chain's head. */
  acquisitionLogHeadSha256: Hex64,
  parts: z.array(ManifestPart),
  manifestSha256: Hex64
})
/** The manifest, as stored. */
export type SnapshotManifest = z.infer<typeof SnapshotManifest>

/** The manifest before its own hash is added. */
export type ManifestBody = Omit<SnapshotManifest, 'manifestSha256' | 'format' | 'formatVersion'>

/** Builds a manifest (adding format, version and its own hash) and its exact file text. */
export function buildManifest(
  body: ManifestBody,
  sha256: Sha256Factory
): { manifest: SnapshotManifest; text: string } {
  const unsigned = { ...body, format: SNAPSHOT_FORMAT, formatVersion: SNAPSHOT_FORMAT_VERSION }
  const manifestSha256 = sha256HexOfText(canonicalJson(unsigned), sha256)
  const manifest = { ...unsigned, manifestSha256 } as SnapshotManifest
  return { manifest, text: canonicalJson(manifest) }
}

/** The outcome of {@link parseManifest}. */
export type ManifestParse =
  { ok: true; manifest: SnapshotManifest; problems: string[] } | { ok: false; problems: string[] }

/**
 * Parses and checks manifest text: JSON, the schema, the format version, canonical form (so no
 * byte can change unnoticed) and the manifest's own hash. `ok` is true when it could be parsed
 * well enough to check the other parts; `problems` lists everything wrong.
 */
export function parseManifest(text: string, sha256: Sha256Factory): ManifestParse {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    return { ok: false, problems: [`manifest is not JSON: ${(err as Error).message}`] }
  }
  const parsed = SnapshotManifest.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ')
    return { ok: false, problems: [`manifest does not match the snapshot format: ${issues}`] }
  }
  const manifest = parsed.data
  const problems: string[] = []
  if (manifest.formatVersion > SNAPSHOT_FORMAT_VERSION) {
    return {
      ok: false,
      problems: [
        `snapshot format version ${manifest.formatVersion} is newer than this app reads (${SNAPSHOT_FORMAT_VERSION}); update the app`
      ]
    }
  }
  if (canonicalJson(json) !== text) {
    problems.push('manifest text is not in canonical form: it was edited after it was written')
  }
  const { manifestSha256, ...unsigned } = manifest
  const actual = sha256HexOfText(canonicalJson(unsigned), sha256)
  if (actual !== manifestSha256) {
    problems.push(
      `manifest content does not match its own SHA-256 (stored ${manifestSha256.slice(0, 12)}…, computed ${actual.slice(0, 12)}…): it was edited`
    )
  }
  return { ok: true, manifest, problems }
}
