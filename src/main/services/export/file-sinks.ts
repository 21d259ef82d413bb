import { createHash } from 'node:crypto'
import { createWriteStream, fchmod } from 'node:fs'
import type { WriteStream } from 'node:fs'
import { once } from 'node:events'

import { partFileName } from '../../../shared/export'
import type { CsvChunk } from '../../../shared/export'

/** One file an export wrote. */
export interface WrittenFile {
  path: string
  bytes: number
  /** SHA-256 of the file's bytes (hex), for the export's manifest or a report. */
  sha256: string
}

/** Exports hold audit data: readable by their owner only, where the OS has such modes. */
export const EXPORT_FILE_MODE = 0o600

/**
 * Opens `path` for writing, owner-only: created with mode 0600, and an existing file being
 * overwritten is narrowed to 0600 too (best effort: a file owned by someone else keeps its mode;
 * Windows has no such bits and ignores it).
 */
export function createOwnerOnlyWriteStream(path: string): WriteStream {
  const stream = createWriteStream(path, { mode: EXPORT_FILE_MODE })
  stream.once('open', (fd: number) => fchmod(fd, EXPORT_FILE_MODE, () => undefined))
  return stream
}

class HashingFile {
  private readonly stream: WriteStream
  private readonly hash = createHash('sha256')
  private bytes = 0
  private failure: Error | null = null

  constructor(readonly path: string) {
    // 'wx' would refuse to overwrite; exports overwrite on purpose, like every spreadsheet tool.
    this.stream = createOwnerOnlyWriteStream(path)
    // One listener for the file's life: an error between two writes is kept and thrown by the
    // next call. (Adding an 'error' listener per back-pressured write, and leaving it when
    // 'drain' won, leaked one listener per chunk: MaxListenersExceededWarning on large exports.)
    this.stream.on('error', (error) => {
      this.failure ??= error
    })
  }

  async write(text: string): Promise<void> {
    this.throwIfFailed()
    const buf = Buffer.from(text, 'utf8')
    this.hash.update(buf)
    this.bytes += buf.length
    if (!this.stream.write(buf)) {
      // events.once rejects on 'error' and removes both of its listeners whichever comes first.
      await once(this.stream, 'drain')
    }
  }

  async close(): Promise<WrittenFile> {
    this.throwIfFailed()
    this.stream.end()
    await once(this.stream, 'close')
    this.throwIfFailed()
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') }
  }

  destroy(): void {
    this.stream.destroy()
  }

  private throwIfFailed(): void {
    if (this.failure) {
      throw this.failure
    }
  }
}

/**
 * Writes a streaming CSV export to `outPath`, opening `-part2`, `-part3`… files as the export
 * moves to the next part. Honours back-pressure, so memory stays at one chunk.
 */
export async function writeCsvFiles(
  chunks: AsyncIterable<CsvChunk>,
  outPath: string
): Promise<WrittenFile[]> {
  const files: WrittenFile[] = []
  let current: HashingFile | null = null
  let currentPart = 0
  try {
    for await (const chunk of chunks) {
      if (chunk.part !== currentPart) {
        if (current) {
          files.push(await current.close())
        }
        currentPart = chunk.part
        current = new HashingFile(partFileName(outPath, chunk.part))
      }
      await (current as HashingFile).write(chunk.text)
    }
    if (current) {
      files.push(await current.close())
      current = null
    }
  } finally {
    current?.destroy()
  }
  return files
}

/** Writes streamed text (an NDJSON export) to one file, with back-pressure. */
export async function writeTextFile(
  chunks: AsyncIterable<string>,
  outPath: string
): Promise<WrittenFile> {
  const file = new HashingFile(outPath)
  try {
    for await (const text of chunks) {
      await file.write(text)
    }
    return await file.close()
  } catch (err) {
    file.destroy()
    throw err
  }
}
