import { describe, expect, it } from 'vitest'

import { parseStartArgs } from './start-args'

describe('parseStartArgs', () => {
  it('parses every option, with = or a separate value', () => {
    expect(
      parseStartArgs([
        '--port',
        '8443',
        '--scenario=flaky',
        '--seed',
        '9',
        '--test-hooks',
        '--scenario-file',
        'f.json',
        '--now=2026-11-20T12:00:00Z',
        '--request-log-limit',
        '20000'
      ])
    ).toEqual({
      port: 8443,
      scenario: 'flaky',
      seed: 9,
      testHooks: true,
      scenarioFile: 'f.json',
      now: new Date('2026-11-20T12:00:00Z'),
      requestLogLimit: 20000
    })
  })

  it('defaults to a free port, the demo scenario and no test hooks', () => {
    expect(parseStartArgs([])).toEqual({ port: 0, scenario: 'demo', testHooks: false })
  })

  it('rejects bad input with a readable message and the usage', () => {
    expect(() => parseStartArgs(['--port', 'x'])).toThrow(/--port must be an integer[\s\S]*usage/)
    expect(() => parseStartArgs(['--scenario', 'nope'])).toThrow(/unknown scenario 'nope'/)
    expect(() => parseStartArgs(['--seed'])).toThrow(/--seed needs a value/)
    expect(() => parseStartArgs(['--verbose'])).toThrow(/unknown argument '--verbose'/)
    expect(() => parseStartArgs(['--now', 'soon'])).toThrow(/--now must be an ISO 8601 time/)
    expect(() => parseStartArgs(['--request-log-limit', '-1'])).toThrow(/must be an integer >= 0/)
  })
})
