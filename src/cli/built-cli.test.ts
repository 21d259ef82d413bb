import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, resolve } from 'node:path'

import { beforeAll, describe, expect, it } from 'vitest'

import { COMMANDS } from './cli'

const ROOT = resolve(__dirname, '../..')
const CLI = join(ROOT, 'out/main/cli.js')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

beforeAll(() => {
  const sources = [
    'src/cli',
    'src/shared/export',
    'src/shared/snapshot',
    'src/main/services/snapshot'
  ]
  const newest = Math.max(...sources.map((s) => newestMtime(join(ROOT, s))))
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newest) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: ROOT,
        stdio: 'pipe'
      }
    )
  }
}, 180_000)

describe('built cax (out/main/cli.js)', () => {
  it('runs under plain Node and lists every command', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    for (const name of Object.keys(COMMANDS)) {
      expect(result.stdout).toContain(`  ${name} `)
    }
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('reaches no electron or keytar import', () => {
    const seen = new Set<string>()
    const queue = [CLI]
    while (queue.length > 0) {
      const file = queue.pop() as string
      if (seen.has(file)) {
        continue
      }
      seen.add(file)
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(
        /from\s*["'](electron|keytar)["']|import\(\s*["'](electron|keytar)["']|require\(\s*["'](electron|keytar)["']/
      )
      for (const m of text.matchAll(/(?:from|import\()\s*["'](\.[^"']+)["']/g)) {
        queue.push(normalize(join(dirname(file), m[1] ?? '')))
      }
    }
    expect(seen.size).toBeGreaterThan(3)
  })
})
