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
