import { describe, expect, it } from 'vitest'

import { formatDuration, importRate, rejectionsCsv } from './import-figures'

describe('importRate', () => {
  it('gives rows per second and the time left from the bytes read so far', () => {
    const rate = importRate({ bytesRead: 250, totalBytes: 1000, rowsRead: 500 }, 10_000)
    expect(rate).toEqual({ rowsPerSecond: 50, secondsLeft: 30 })
  })

  it('has nothing to say before the first row', () => {
    expect(importRate({ bytesRead: 0, totalBytes: 1000, rowsRead: 0 }, 5000)).toBeNull()
    expect(importRate({ bytesRead: 10, totalBytes: 1000, rowsRead: 1 }, 0)).toBeNull()
  })
})

describe('formatDuration', () => {
  it('reads as hours, minutes or seconds', () => {
    expect(formatDuration(12.4)).toBe('12 s')
    expect(formatDuration(185)).toBe('3 min 05 s')
    expect(formatDuration(3720)).toBe('1 h 02 min')
  })
})

describe('rejectionsCsv', () => {
  it('names file, line, code, reason and excerpt, quoting commas, quotes and line breaks', () => {
    const csv = rejectionsCsv('export, May.csv', [
      { line: 72, code: 'audit-data-not-json', reason: 'AuditData is not "JSON"', excerpt: 'a\nb' }
    ])
    expect(csv).toBe(
      'file,line,code,reason,excerpt\r\n' +
        '"export, May.csv",72,audit-data-not-json,"AuditData is not ""JSON""","a\nb"\r\n'
    )
  })

  it('keeps a cell that a spreadsheet would run as a formula as plain text', () => {
    const csv = rejectionsCsv('f.csv', [
      { line: 3, code: 'malformed-csv', reason: '=HYPERLINK("x")', excerpt: '@SUM(1)' }
    ])
    expect(csv.split('\r\n')[1]).toBe(`f.csv,3,malformed-csv,"'=HYPERLINK(""x"")","'@SUM(1)"`)
  })
})
