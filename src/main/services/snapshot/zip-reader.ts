import { Transform, type Readable } from 'node:stream'
import { constants as zlibConstants, createInflateRaw } from 'node:zlib'

import yauzl from 'yauzl'

import type { DeclaredEntry } from '../../../shared/snapshot'

/** The zip has more entries than the caller will read; nothing was inflated. */
export class ZipEntryCountError extends Error {
  constructor(
    readonly entryCount: number,
    readonly maxEntries: number
  ) {
    super(`the zip holds ${entryCount} entries; at most ${maxEntries} are read`)
    this.name = 'ZipEntryCountError'
  }
}

/** An entry inflated past the bytes the caller allowed (or the central directory declared). */
export class ZipEntryTooLargeError extends Error {
  constructor(
    readonly entryName: string,
    readonly maxBytes: number
  ) {
    super(`${entryName} inflates to more than ${maxBytes} bytes`)
    this.name = 'ZipEntryTooLargeError'
  }
}

/** The most an inflater yields at a time. */
const INFLATE_CHUNK_BYTES = 256 * 1024

/**
 * A thin promise wrapper over yauzl: reads the central directory once (refusing one with more
 * than `maxEntries` entries before reading any of them), then opens any entry as a stream (random
 * access, so a large snapshot is never held in memory). Nothing is inflated until {@link stream}
 * is called; every inflated byte is counted in {@link inflatedBytes}, and no stream yields more
 * than the entry's declared uncompressed size (yauzl's `validateEntrySizes`) or the caller's cap.
 */
export class ZipReader {
  /** Uncompressed bytes produced by every stream opened so far (for tests and diagnostics). */
  inflatedBytes = 0

  private constructor(
    private readonly zip: yauzl.ZipFile,
    /** Entry names in container order, duplicates included. */
    readonly names: string[],
    /** Every entry as the central directory declares it, duplicates included. */
    readonly declared: DeclaredEntry[],
    private readonly entries: Map<string, yauzl.Entry>,
    /** Size of the zip file in bytes. */
    readonly fileSize: number
  ) {}

  /** Opens a zip file; rejects when it is not a readable zip or holds too many entries. */
  static async open(path: string, options: { maxEntries?: number } = {}): Promise<ZipReader> {
    const zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false
    })
    const maxEntries = options.maxEntries ?? Number.MAX_SAFE_INTEGER
    if (zip.entryCount > maxEntries) {
      zip.close()
      throw new ZipEntryCountError(zip.entryCount, maxEntries)
    }
    const names: string[] = []
    const declared: DeclaredEntry[] = []
    const entries = new Map<string, yauzl.Entry>()
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('entry', (entry: yauzl.Entry) => {
          names.push(entry.fileName)
          declared.push({
            name: entry.fileName,
            compressedSize: entry.compressedSize,
            uncompressedSize: entry.uncompressedSize,
            compressionMethod: entry.compressionMethod,
            isEncrypted: entry.isEncrypted(),
            localHeaderOffset: entry.relativeOffsetOfLocalHeader
          })
          if (!entries.has(entry.fileName)) {
            entries.set(entry.fileName, entry)
          }
          zip.readEntry()
        })
        zip.once('end', () => resolve())
        zip.once('error', reject)
        zip.readEntry()
      })
    } catch (err) {
      zip.close()
      throw err
    }
    const fileSize = (zip as unknown as { fileSize: number }).fileSize
    return new ZipReader(zip, names, declared, entries, fileSize)
  }

  /** Whether an entry exists. */
  has(name: string): boolean {
    return this.entries.has(name)
  }

  /** The entry's byte offset of its local header, and compressed size (for diagnostics and tests). */
  location(name: string): { localHeaderOffset: number; compressedSize: number } | null {
    const e = this.entries.get(name)
    return e
      ? { localHeaderOffset: e.relativeOffsetOfLocalHeader, compressedSize: e.compressedSize }
      : null
  }

  /**
   * Opens an entry's uncompressed bytes as a stream that fails with {@link ZipEntryTooLargeError}
   * once it passes `maxBytes` (the declared size is enforced as well).
   */
  async stream(name: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Readable> {
    const entry = this.entries.get(name)
    if (!entry) {
      throw new Error(`${name} is not in the snapshot`)
    }
    if (entry.uncompressedSize > maxBytes) {
      throw new ZipEntryTooLargeError(name, maxBytes)
    }
    // A deflated entry is inflated here rather than by yauzl, whose inflater yields 16 KB at a
    // time: a million-record snapshot's records (1.3 GB) then cost 5.0-5.3 CPU-seconds to
    // inflate, 2.0-2.2 in pieces of up to 256 KB (measured under Node, the same file). Any other
    // entry (stored, encrypted, another method) is left to yauzl, which reads or refuses it.
    const isDeflated = entry.compressionMethod === 8 && !entry.isEncrypted()
    const source = await this.zip.openReadStreamPromise(
      entry,
      isDeflated ? { decodeFileData: false } : undefined
    )
    // Never more than the declared size (at most `maxBytes`, checked above) plus one byte in one
    // piece: a part that lies about its size is stopped within a byte of it, however large the
    // pieces otherwise are.
    const inflater = isDeflated
      ? createInflateRaw({
          chunkSize: Math.max(
            zlibConstants.Z_MIN_CHUNK,
            Math.min(INFLATE_CHUNK_BYTES, entry.uncompressedSize + 1)
          )
        })
      : null
    let size = 0
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        size += chunk.length
        this.inflatedBytes += chunk.length
        if (size > maxBytes) {
          done(new ZipEntryTooLargeError(name, maxBytes))
          return
        }
        if (inflater !== null && size > entry.uncompressedSize) {
          done(
            new Error(
              `${name} inflates to more than the ${entry.uncompressedSize} bytes the zip declares`
            )
          )
          return
        }
        done(null, chunk)
      },
      flush: (done) => {
        if (inflater !== null && size < entry.uncompressedSize) {
          done(
            new Error(
              `${name} inflates to ${size} bytes, fewer than the ${entry.uncompressedSize} the zip declares`
            )
          )
          return
        }
        done()
      }
    })
    source.on('error', (err) => counter.destroy(err))
    inflater?.on('error', (err) => counter.destroy(err))
    counter.on('close', () => {
      for (const stream of [source, inflater]) {
        if (stream !== null && !stream.destroyed) {
          stream.destroy()
        }
      }
    })
    return (inflater === null ? source : source.pipe(inflater)).pipe(counter)
  }

  /** Reads a (small) entry whole, as UTF-8 text, refusing one larger than `maxBytes`. */
  async text(name: string, maxBytes = 256 * 1024 * 1024): Promise<string> {
    const chunks: Buffer[] = []
    for await (const chunk of await this.stream(name, maxBytes)) {
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  /** Closes the file. */
  close(): void {
    this.zip.close()
  }
}
