// Adds up the Vitest and Playwright JSON reports into one closing line:
// "Tests: N passed, N failed, N skipped". A missing report counts as a failure.
import { existsSync, readFileSync } from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
let missing = 0
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    process.stderr.write(`[test] no report at ${file}: that stage did not finish\n`)
    missing += 1
    continue
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  if ('numPassedTests' in report) {
    passed += report.numPassedTests
    failed += report.numFailedTests
    skipped += report.numPendingTests + (report.numTodoTests ?? 0)
  } else if (report.stats) {
    passed += report.stats.expected + report.stats.flaky
    failed += report.stats.unexpected
    skipped += report.stats.skipped
  }
}
process.stdout.write(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
process.exit(failed > 0 || missing > 0 || passed === 0 ? 1 : 0)
