import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { checkElectronSupport, STABLE_RELEASES, supportEnd } from './electron-support.mjs'

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10)
const SCRIPT = join(import.meta.dirname, 'electron-support.mjs')

describe('supportEnd', () => {
  it('is the release of the major three later when the table has it', () => {
    const end = supportEnd(41)
    expect(day(end.day)).toBe(STABLE_RELEASES[44])
    expect(end).toMatchObject({ isEstimate: false, successor: 44 })
  })

  it('is estimated at 8 weeks per major from the newest major in the table', () => {
    // 45.0.0 on 2026-10-21; 46, 47, 48 due 8, 16 and 24 weeks later.
    const end = supportEnd(45)
    expect(day(end.day)).toBe('2027-04-07')
    expect(end).toMatchObject({ isEstimate: true, successor: 48 })
    expect(day(supportEnd(43).day)).toBe('2026-12-16')
  })
})

describe('checkElectronSupport', () => {
  it('passes the pinned 45.5.0 on 2026-11-29, naming the end of support', () => {
    const verdict = checkElectronSupport('45.5.0', '2026-11-29')
    expect(verdict.ok).toBe(true)
    expect(verdict.message).toContain('supported until about 2027-04-07')
    expect(verdict.message).toContain('Electron 48')
    expect(verdict.message).toContain('129 days left')
  })

  it('fails the day support ends, naming the date and what to do', () => {
    const verdict = checkElectronSupport('45.5.0', '2027-04-07')
    expect(verdict.ok).toBe(false)
    expect(verdict.message).toContain('left Electron')
    expect(verdict.message).toContain('2027-04-07')
    expect(verdict.message).toContain('npm install --save-dev --save-exact electron@')
  })

  it('fails a major whose successor three majors on is already in the table', () => {
    const verdict = checkElectronSupport('41.2.0', '2026-09-01')
    expect(verdict.ok).toBe(false)
    expect(verdict.message).toContain(`on ${STABLE_RELEASES[44]}, when Electron 44 was released`)
  })

  it('passes the day before, with a warning in the last four weeks', () => {
    const verdict = checkElectronSupport('45.5.0', '2027-04-06')
    expect(verdict.ok).toBe(true)
    expect(verdict.message).toContain('Only 1 day left')
    expect(checkElectronSupport('45.5.0', '2027-03-10').message).toContain('Only 28 days left')
    expect(checkElectronSupport('45.5.0', '2027-03-09').message).toContain(' 29 days left.')
  })

  it('fails a major missing from the table, and a version that is not pinned', () => {
    const newer = checkElectronSupport('46.0.0', '2026-12-20')
    expect(newer.ok).toBe(false)
    expect(newer.message).toContain('add the day its 46.0.0 was published')
    expect(checkElectronSupport('30.0.0', '2026-11-29').ok).toBe(false)
    expect(checkElectronSupport('latest', '2026-11-29').ok).toBe(false)
  })

  it('uses a given table (a new major added later)', () => {
    const table = { ...STABLE_RELEASES, 46: '2026-12-16', 47: '2027-02-10', 48: '2027-04-01' }
    const verdict = checkElectronSupport('45.5.0', '2027-04-02', table)
    expect(verdict.ok).toBe(false)
    expect(verdict.message).toContain('on 2027-04-01, when Electron 48 was released')
  })
})

describe('the script', () => {
  it('checks the Electron pinned in package.json and exits 1 once it is out of support', () => {
    const pinned = (
      JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>
      }
    ).devDependencies['electron']
    const ok = execFileSync(process.execPath, [SCRIPT, '--today', '2026-11-29'], {
      encoding: 'utf8'
    })
    expect(ok).toContain(`Electron ${pinned} is supported until`)
    let failure: { status: number; stderr: string } | undefined
    try {
      execFileSync(process.execPath, [SCRIPT, '--today', '2030-01-01'], { stdio: 'pipe' })
    } catch (error) {
      failure = error as { status: number; stderr: string }
    }
    expect(failure?.status).toBe(1)
    expect(String(failure?.stderr)).toContain(`Electron ${pinned} left Electron's support window`)
  })
})
