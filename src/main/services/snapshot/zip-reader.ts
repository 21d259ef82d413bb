import type { Readable } from 'node:stream'

import yauzl from 'yauzl'

/**
 * A thin promise wrapper over yauzl: reads the central directory once, then opens any entry as a
 * stream (random access, so a large snapshot is never held in memory).
 */
export class ZipReader {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    /** Entry names in container order, duplicates included. */
    readonly names: string[],
    private readonly entries: Map<string, yauzl.Entry>
  ) {}

  /** Opens a zip file; rejects when it is not a readable zip. */
  static async open(path: string): Promise<ZipReader> {
    const zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false
    })
    const names: string[] = []
    const entries = new Map<string, yauzl.Entry>()
    try {
      await new Promise<void>((resolve, reject) => {
        zip.on('entry', (entry: yauzl.Entry) => {
          names.push(entry.fileName)
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
    return new ZipReader(zip, names, entries)
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

  /** Opens an entry's uncompressed bytes as a stream. */
  async stream(name: string): Promise<Readable> {
    const entry = this.entries.get(name)
    if (!entry) {
      throw new Error(`${name} is not in the snapshot`)
    }
    return this.zip.openReadStreamPromise(entry)
  }

  /** Reads a (small) entry whole, as UTF-8 text. */
  async text(name: string, maxBytes = 256 * 1024 * 1024): Promise<string> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of await this.stream(name)) {
      size += (chunk as Buffer).length
      if (size > maxBytes) {
        throw new Error(`${name} is larger than ${maxBytes} bytes`)
      }
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  /** Closes the file. */
  close(): void {
    this.zip.close()
  }
}
