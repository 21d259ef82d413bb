import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { checkedFlags, jsFlagsSwitch, RENDERER_JS_FLAGS } from './renderer-js-flags'

describe('the renderer V8 flags', () => {
  it('gives the window the heap limits the benchmarks measured', () => {
    expect(RENDERER_JS_FLAGS).toEqual(['--heap-growing-percent=10', '--max-semi-space-size=4'])
    expect(jsFlagsSwitch()).toBe(RENDERER_JS_FLAGS.join(' '))
  })

  it('refuses anything that is not a plain V8 flag (the switch goes on a command line)', () => {
    expect(() => checkedFlags(['--heap-growing-percent=10 --expose-gc'])).toThrow(/not a V8 flag/)
    expect(() => checkedFlags(['expose-gc'])).toThrow(/not a V8 flag/)
    expect(() => checkedFlags('--expose-gc')).toThrow(/list of strings/)
    expect(checkedFlags(['--max-semi-space-size=4', '--no-memory-reducer'])).toEqual([
      '--max-semi-space-size=4',
      '--no-memory-reducer'
    ])
  })

  it('is the list the explorer benchmark launches Chromium with', () => {
    const shell = readFileSync(join(__dirname, '../../../bench/browser-shell.mjs'), 'utf8')
    expect(shell).toContain('src/main/platform/renderer-js-flags.json')
  })
})
