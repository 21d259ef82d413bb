/**
 * The snapshot files main itself was offered — chosen in a dialog, opened from the OS, dropped on
 * the desktop window, uploaded to the browser shell — each behind an opaque one-time handle
 * (issue 10 item 6). The UI imports by handle; it never names a path. Uploaded files, and every
 * file an import reads, live in a private folder of the data folder (0700, files 0600).
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { chmod, mkdir, readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

import type { Logger } from '../logging/logger'

/** One offered file. */
export interface OfferedFile {
  /** Where it is. */
  path: string
  /** What the user calls it (a file name), for display. */
  name: string
  size: number
  /** True when main wrote it into its private folder (an upload): it is deleted after use. */
  isPrivate: boolean
}

interface Offer extends OfferedFile {
  expiresAt: number
}

/** What {@link OfferedSnapshots} needs. */
export interface OfferedSnapshotsDeps {
  /** The private folder (created 0700 when missing). */
  privateDir: string
  log: Logger
  /** How long an offer stays valid (default 30 minutes). */
  ttlMs?: number
  /** Offers kept at once; the oldest is dropped beyond it (default 16). */
  maxOffers?: number
  now?: () => number
}

/** A display name: the base name, without control characters, at most 200 characters. */
export function displayName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '')
  return (cleaned || 'snapshot').slice(0, 200)
}

/** Issues and redeems one-time handles for offered snapshot files. */
export class OfferedSnapshots {
  private readonly offers = new Map<string, Offer>()

  constructor(private readonly deps: OfferedSnapshotsDeps) {}

  /** Registers a file and returns its handle (128 random bits, URL-safe). */
  offer(file: OfferedFile): string {
    this.expire()
    const max = this.deps.maxOffers ?? 16
    while (this.offers.size >= max) {
      const oldest = this.offers.keys().next().value as string
      this.discard(oldest)
    }
    const handle = randomBytes(16).toString('base64url')
    this.offers.set(handle, { ...file, expiresAt: this.now() + (this.deps.ttlMs ?? 30 * 60_000) })
    return handle
  }

  /** Redeems a handle once: the file, or null when unknown, used or expired. */
  take(handle: string): OfferedFile | null {
    this.expire()
    const offer = this.offers.get(handle)
    if (!offer) {
      return null
    }
    this.offers.delete(handle)
    const { expiresAt: _expiresAt, ...file } = offer
    return file
  }

  /**
   * Creates a new file in the private folder (exclusive, 0600) and returns its path and a write
   * stream; the caller removes it with {@link removePrivate} when it is not offered after all.
   */
  async createPrivateFile(suffix: string): Promise<{ path: string; stream: WriteStream }> {
    await mkdir(this.deps.privateDir, { recursive: true, mode: 0o700 })
    // Owner-only even when the folder existed before (mkdir's mode applies only on creation).
    await chmod(this.deps.privateDir, 0o700)
    const path = join(this.deps.privateDir, `${randomBytes(12).toString('hex')}${suffix}`)
    const stream = createWriteStream(path, { flags: 'wx', mode: 0o600 })
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve())
      stream.once('error', reject)
    })
    return { path, stream }
  }

  /** Deletes a file of the private folder (never anything else). */
  async removePrivate(path: string): Promise<void> {
    if (dirname(path) !== this.deps.privateDir) {
      return
    }
    await rm(path, { force: true }).catch((error: unknown) =>
      this.deps.log.warn(
        `[snapshot] could not remove a private copy: ${(error as NodeJS.ErrnoException).code ?? 'unknown'}`
      )
    )
  }

  /** Removes leftovers of earlier runs (older than a day: another shell may share the folder). */
  async sweep(): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.deps.privateDir)
    } catch {
      return
    }
    const cutoff = this.now() - 24 * 3_600_000
    for (const name of names) {
      const path = join(this.deps.privateDir, name)
      const info = await stat(path).catch(() => null)
      if (info?.isFile() && info.mtimeMs < cutoff) {
        await this.removePrivate(path)
      }
    }
  }

  /** Drops every offer and its private file (shutdown). */
  async clear(): Promise<void> {
    const files = [...this.offers.values()].filter((o) => o.isPrivate).map((o) => o.path)
    this.offers.clear()
    await Promise.all(files.map((path) => this.removePrivate(path)))
  }

  private expire(): void {
    const now = this.now()
    for (const [handle, offer] of this.offers) {
      if (offer.expiresAt <= now) {
        this.discard(handle)
      }
    }
  }

  private discard(handle: string): void {
    const offer = this.offers.get(handle)
    this.offers.delete(handle)
    if (offer?.isPrivate) {
      void this.removePrivate(offer.path)
    }
  }

  private now(): number {
    return (this.deps.now ?? Date.now)()
  }
}
