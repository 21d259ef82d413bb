import { describe, expect, it } from 'vitest'

import { parseWebArgs } from './web-args'

describe('parseWebArgs', () => {
  it('defaults to a free port and opening the browser', () => {
    expect(parseWebArgs([])).toEqual({ port: 0, open: true, dataDir: undefined, help: false })
  })

  it('reads --port, --no-open and --data-dir', () => {
    expect(parseWebArgs(['--port', '5780', '--no-open', '--data-dir', '/tmp/x'])).toEqual({
      port: 5780,
      open: false,
      dataDir: '/tmp/x',
      help: false
    })
  })

  it.each([['--port', 'abc'], ['--port', '70000'], ['--port', '-1'], ['--bogus'], ['stray']])(
    'refuses %j with a readable message',
    (...argv) => {
      expect(() => parseWebArgs(argv)).toThrow(/port|Unknown option|Unexpected argument|argument/i)
    }
  )
})
