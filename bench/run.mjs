// Benchmark runner: runs every bench/*.bench.mjs in turn and prints its figures.
// The acquisition and grid benchmarks arrive with their issues.
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const benches = readdirSync(here).filter((f) => f.endsWith('.bench.mjs'))
if (benches.length === 0) {
  console.log('No benchmarks yet.')
}
for (const file of benches) {
  console.log(`[bench] ${file}`)
  await import(join(here, file))
}
