// The parse-only floor of the import benchmark: csv-parse (the CSV library the project ships)
// streaming the file, and JSON.parse of every AuditData cell, nothing else and nothing stored,
// on one thread. Run as a child so it is measured like the import (its own process, its own
// peak memory). Prints one JSON line: rows, seconds, peak RSS.
import { createReadStream } from 'node:fs'

import { parse } from 'csv-parse'

const file = process.argv[2]
const started = process.hrtime.bigint()
let rows = 0
let auditData = -1
for await (const record of createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(
  parse({ relax_column_count: true, bom: true })
)) {
  if (auditData < 0) {
    auditData = record.indexOf('AuditData')
    continue
  }
  JSON.parse(record[auditData])
  rows++
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9
console.log(JSON.stringify({ rows, seconds, peakRssMB: process.resourceUsage().maxRSS / 1024 }))
