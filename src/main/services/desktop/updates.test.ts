import { describe, expect, it } from 'vitest'

import {
  CHECK_INTERVAL_MS,
  decideUpdates,
  describeDecision,
  FIRST_CHECK_DELAY_MS,
  isTruthyFlag,
  machinePolicyPath,
  nextCheckDelayMs,
  parseMachinePolicy,
  readUpdatesPolicy,
  resolveUpdatesPolicy,
  type InstallFacts,
  type UpdatesPolicy
} from './updates'

const NSIS: InstallFacts = {
  platform: 'win32',
  isPackaged: true,
  hasNsisUninstaller: true,
  appImagePath: undefined
}
const NO_POLICY: UpdatesPolicy = { isDisabled: false }
const POLICY_OFF: UpdatesPolicy = { isDisabled: true, source: 'environment', detail: 'x' }

describe('decideUpdates', () => {
  it('checks a packaged NSIS install with updates on and no policy', () => {
    expect(decideUpdates({ install: NSIS, setting: 'automatic', policy: NO_POLICY })).toEqual({
      shouldCheck: true
    })
  })

  it('never checks in development, whatever else says', () => {
    const install = { ...NSIS, isPackaged: false }
    expect(decideUpdates({ install, setting: 'automatic', policy: NO_POLICY })).toEqual({
      shouldCheck: false,
      reason: 'development'
    })
  })

  it('honours the policy before the setting, and the setting', () => {
    expect(decideUpdates({ install: NSIS, setting: 'automatic', policy: POLICY_OFF })).toEqual({
      shouldCheck: false,
      reason: 'policy'
    })
    expect(decideUpdates({ install: NSIS, setting: 'off', policy: NO_POLICY })).toEqual({
      shouldCheck: false,
      reason: 'setting'
    })
  })

  it.each<[string, InstallFacts, boolean]>([
    ['Windows MSI (no NSIS uninstaller)', { ...NSIS, hasNsisUninstaller: false }, false],
    ['macOS', { ...NSIS, platform: 'darwin', hasNsisUninstaller: false }, true],
    ['Linux AppImage', { ...NSIS, platform: 'linux', appImagePath: '/home/u/cax.AppImage' }, true],
    ['Linux deb', { ...NSIS, platform: 'linux', hasNsisUninstaller: false }, false]
  ])('%s → checks: %s', (_label, install, expected) => {
    const decision = decideUpdates({ install, setting: 'automatic', policy: NO_POLICY })
    expect(decision.shouldCheck).toBe(expected)
    if (!decision.shouldCheck) {
      expect(decision.reason).toBe('install-type')
    }
  })
})

describe('policy', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    [' on ', true],
    ['0', false],
    ['false', false],
    ['', false],
    [undefined, false]
  ])('CAX_DISABLE_UPDATES=%j → %s', (value, expected) => {
    expect(isTruthyFlag(value)).toBe(expected)
    const env = value === undefined ? {} : { CAX_DISABLE_UPDATES: value }
    expect(resolveUpdatesPolicy(env, undefined, '/p').isDisabled).toBe(expected)
  })

  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ['{}', false],
    ['{"updates":"automatic"}', false],
    ['{"updates":"automatic","futurePolicy":1}', false],
    ['{"updates":"off"}', true],
    // A file an administrator deployed but the app cannot read restricts rather than allows.
    ['{"updates":"never"}', true],
    ['not json', true],
    ['[]', true]
  ])('policy file %j → disabled: %s', (text, expected) => {
    expect(parseMachinePolicy(text, '/etc/p.json').isDisabled).toBe(expected)
  })

  it('names where each platform looks for the file', () => {
    expect(machinePolicyPath('win32', { ProgramData: 'D:\\PD' })).toBe(
      'D:\\PD\\Connector Audit Explorer\\policy.json'
    )
    expect(machinePolicyPath('win32', {})).toBe(
      'C:\\ProgramData\\Connector Audit Explorer\\policy.json'
    )
    expect(machinePolicyPath('darwin', {})).toBe(
      '/Library/Application Support/Connector Audit Explorer/policy.json'
    )
    expect(machinePolicyPath('linux', {})).toBe('/etc/connector-audit-explorer/policy.json')
  })

  it('reads the file: missing means no policy, unreadable or "off" means disabled', async () => {
    const enoent = Object.assign(new Error('no'), { code: 'ENOENT' })
    const eacces = Object.assign(new Error('no'), { code: 'EACCES' })
    await expect(readUpdatesPolicy({}, 'linux', () => Promise.reject(enoent))).resolves.toEqual({
      isDisabled: false
    })
    await expect(
      readUpdatesPolicy({}, 'linux', () => Promise.reject(eacces))
    ).resolves.toMatchObject({ isDisabled: true, source: 'policy-file' })
    const seen: string[] = []
    const policy = await readUpdatesPolicy({}, 'darwin', async (path) => {
      seen.push(path)
      return '{"updates":"off"}'
    })
    expect(seen).toEqual(['/Library/Application Support/Connector Audit Explorer/policy.json'])
    expect(policy).toMatchObject({ isDisabled: true, source: 'policy-file' })
    await expect(
      readUpdatesPolicy({ CAX_DISABLE_UPDATES: '1' }, 'linux', async () => '{}')
    ).resolves.toMatchObject({ isDisabled: true, source: 'environment' })
  })
})

describe('timing', () => {
  const now = new Date('2026-05-20T12:00:00Z')
  it('waits a little after start-up, then the interval after the last check', () => {
    expect(nextCheckDelayMs(null, now)).toBe(FIRST_CHECK_DELAY_MS)
    expect(nextCheckDelayMs(now, now)).toBe(CHECK_INTERVAL_MS)
    expect(nextCheckDelayMs(new Date(now.getTime() - 60_000), now)).toBe(CHECK_INTERVAL_MS - 60_000)
    // Overdue (the laptop slept): check now.
    expect(nextCheckDelayMs(new Date(now.getTime() - 2 * CHECK_INTERVAL_MS), now)).toBe(0)
  })

  it('describes every decision for the log', () => {
    expect(describeDecision({ shouldCheck: true }, NO_POLICY)).toMatch(/are on/)
    expect(describeDecision({ shouldCheck: false, reason: 'policy' }, POLICY_OFF)).toMatch(
      /disabled by policy \(x\)/
    )
    for (const reason of ['development', 'setting', 'install-type'] as const) {
      expect(describeDecision({ shouldCheck: false, reason }, NO_POLICY)).toMatch(/not checking/)
    }
  })
})
