import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { afterEach, beforeEach, expect, it } from 'vitest'

import { writeCaFileSync } from './ca-file'

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
let parent: string
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'cax-ca-test-'))
})
afterEach(() => {
  rmSync(parent, { recursive: true, force: true })
})

it('puts the CA in a fresh private folder with an unpredictable name, not a shared fixed path', () => {
  const a = writeCaFileSync(PEM, undefined, parent)
  const b = writeCaFileSync(PEM, undefined, parent)
  expect(readFileSync(a.path, 'utf8')).toBe(PEM)
  expect(dirname(a.path)).not.toBe(parent)
  expect(dirname(a.path)).not.toBe(dirname(b.path))
  expect(a.path).not.toMatch(/cax-emulator-ca-\d+\.pem$/)
  if (process.platform !== 'win32') {
    expect(statSync(dirname(a.path)).mode & 0o777).toBe(0o700)
    expect(statSync(a.path).mode & 0o777).toBe(0o600)
  }
  a.dispose()
  expect(() => statSync(dirname(a.path))).toThrow(/ENOENT/)
  b.dispose()
})

it('writes to a path the user asked for, owner-only, and leaves it there', () => {
  const requested = join(parent, 'my-ca.pem')
  const file = writeCaFileSync(PEM, requested, parent)
  expect(file.path).toBe(requested)
  if (process.platform !== 'win32') {
    expect(statSync(requested).mode & 0o777).toBe(0o600)
  }
  file.dispose()
  expect(readFileSync(requested, 'utf8')).toBe(PEM)
})
