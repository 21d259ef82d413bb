import type { Readable } from 'node:stream'

/** A line of an NDJSON part is longer than the limit; the part was not read further. */
export class LineTooLongError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly maxLineBytes: number
  ) {
    super(`line ${lineNumber} is longer than ${maxLineBytes.toLocaleString('en-US')} bytes`)
    this.name = 'LineTooLongError'
  }
}

/**
 * Splits a byte stream into UTF-8 lines (`\n`, a trailing `\r` removed), holding at most one line
 * of `maxLineBytes` in memory: unlike `readline`, a line without end cannot grow without bound.
 * Throws {@link LineTooLongError} as soon as a line passes the limit. A last line without a
 * newline is yielded too.
 */
export async function* boundedLines(input: Readable, maxLineBytes: number): AsyncGenerator<string> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let lineNumber = 0
  const take = (tail: Buffer): string => {
    const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail])
    pending = []
    pendingBytes = 0
    lineNumber += 1
    const end =
      bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length
    return bytes.toString('utf8', 0, end)
  }
  try {
    for await (const chunk of input) {
      const buf = chunk as Buffer
      let start = 0
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
        if (pendingBytes + (i - start) > maxLineBytes) {
          throw new LineTooLongError(lineNumber + 1, maxLineBytes)
        }
        yield take(buf.subarray(start, i))
        start = i + 1
      }
      if (start < buf.length) {
        pendingBytes += buf.length - start
        if (pendingBytes > maxLineBytes) {
          throw new LineTooLongError(lineNumber + 1, maxLineBytes)
        }
        pending.push(buf.subarray(start))
      }
    }
    if (pendingBytes > 0) {
      yield take(Buffer.alloc(0))
    }
  } finally {
    input.destroy()
  }
}

/** Whole lines of a byte stream, `lines` at a time, as one byte array each (see {@link lineBatches}). */
export interface LineBatch {
  /** The lines' bytes, each line with its `\n` (the last line of the stream may lack it). */
  bytes: Uint8Array
  /** 1-based number of the first line in `bytes`. */
  firstLine: number
  /** Lines in `bytes`. */
  lines: number
}

/**
 * Cuts a byte stream into batches of `lines` whole lines without decoding them (the caller's
 * worker threads do), with the bound of {@link boundedLines}: a line longer than `maxLineBytes`
 * throws {@link LineTooLongError} as soon as it passes the limit. Each batch owns its buffer,
 * so it can be transferred to a worker thread.
 */
export async function* lineBatches(
  input: Readable,
  maxLineBytes: number,
  lines: number
): AsyncGenerator<LineBatch> {
  let parts: Uint8Array[] = []
  let partsBytes = 0
  let inBatch = 0
  let lineBytes = 0
  let lineNumber = 0
  let firstLine = 1
  const take = (): LineBatch => {
    const bytes = new Uint8Array(partsBytes)
    let at = 0
    for (const part of parts) {
      bytes.set(part, at)
      at += part.byteLength
    }
    const batch = { bytes, firstLine, lines: inBatch }
    firstLine += inBatch
    parts = []
    partsBytes = 0
    inBatch = 0
    return batch
  }
  try {
    for await (const chunk of input) {
      const buf = chunk as Buffer
      // `start`: where this chunk's bytes not yet in `parts` begin; `lineFrom`: where the open
      // line begins in this chunk (`lineBytes` of it came in earlier chunks).
      let start = 0
      let lineFrom = 0
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) {
        if (lineBytes + (i - lineFrom) > maxLineBytes) {
          throw new LineTooLongError(lineNumber + 1, maxLineBytes)
        }
        lineNumber += 1
        lineBytes = 0
        lineFrom = i + 1
        inBatch += 1
        if (inBatch >= lines) {
          parts.push(buf.subarray(start, i + 1))
          partsBytes += i + 1 - start
          start = i + 1
          yield take()
        }
      }
      lineBytes += buf.length - lineFrom
      if (lineBytes > maxLineBytes) {
        throw new LineTooLongError(lineNumber + 1, maxLineBytes)
      }
      if (start < buf.length) {
        parts.push(buf.subarray(start))
        partsBytes += buf.length - start
      }
    }
    if (lineBytes > 0) {
      inBatch += 1
    }
    if (inBatch > 0) {
      yield take()
    }
  } finally {
    input.destroy()
  }
}
