import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
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

class HashingFile {
  private readonly stream: WriteStream
  private readonly hash = createHash('sha256')
  private bytes = 0

  constructor(readonly path: string) {
    // 'wx' would refuse to overwrite; exports overwrite on purpose, like every spreadsheet tool.
    this.stream = createWriteStream(path)
  }

  async write(text: string): Promise<void> {
    const buf = Buffer.from(text, 'utf8')
    this.hash.update(buf)
    this.bytes += buf.length
    if (!this.stream.write(buf)) {
      await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')])
    }
  }

  async close(): Promise<WrittenFile> {
    this.stream.end()
    await once(this.stream, 'close')
    return { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') }
  }

  destroy(): void {
    this.stream.destroy()
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
