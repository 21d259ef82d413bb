import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | null = null

/**
 * The app version from the project's package.json, found by walking up from this module (the
 * same code runs from src/cli in tests and from out/main/ or out/main/chunks/ when built).
 */
export function appVersion(): string {
  if (cached !== null) {
    return cached
  }
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'connector-audit-explorer' && typeof pkg.version === 'string') {
        cached = pkg.version
        return cached
      }
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir)
  }
  cached = '0.0.0-unknown'
  return cached
}
