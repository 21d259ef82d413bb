import { SCENARIOS } from './scenarios'
import type { ScenarioName } from './scenarios'

/** Parsed command line of the standalone emulator. */
export interface StartArgs {
  port: number
  scenario: ScenarioName
  scenarioFile?: string
  seed?: number
  testHooks: boolean
  /** Where to write the CA PEM (default: a file in the OS temp folder). */
  caFile?: string
  /** A frozen clock starting here (moves only through the test hooks); default: real time. */
  now?: Date
  /** Request log cap (default 5,000). */
  requestLogLimit?: number
}

/** Usage text for errors and `--help`. */
export const USAGE =
  'usage: emulator --port <n> --scenario <name> [--scenario-file f.json] [--seed n] [--test-hooks] [--ca-file path]\n' +
  '       [--now ISO-time (frozen clock)] [--request-log-limit n]\n' +
  `scenarios: ${Object.keys(SCENARIOS).join(', ')}`

/** Parses `process.argv.slice(2)`; throws an Error with a readable message and the usage. */
export function parseStartArgs(argv: readonly string[]): StartArgs {
  const out: StartArgs = { port: 0, scenario: 'demo', testHooks: false }
  const fail = (message: string): never => {
    throw new Error(`${message}\n${USAGE}`)
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined || v.startsWith('--')) {
        return fail(`${flag} needs a value`)
      }
      return v
    }
    switch (flag) {
      case '--port': {
        const port = Number(value())
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          fail(`--port must be an integer 0-65535`)
        }
        out.port = port
        break
      }
      case '--scenario': {
        const name = value()
        if (!(name in SCENARIOS)) {
          fail(`unknown scenario '${name}'`)
        }
        out.scenario = name as ScenarioName
        break
      }
      case '--scenario-file':
        out.scenarioFile = value()
        break
      case '--seed': {
        const seed = Number(value())
        if (!Number.isInteger(seed)) {
          fail('--seed must be an integer')
        }
        out.seed = seed
        break
      }
      case '--test-hooks':
        out.testHooks = true
        break
      case '--ca-file':
        out.caFile = value()
        break
      case '--now': {
        const text = value()
        const ms = Date.parse(text)
        if (Number.isNaN(ms)) {
          fail(`--now must be an ISO 8601 time, got '${text}'`)
        }
        out.now = new Date(ms)
        break
      }
      case '--request-log-limit': {
        const limit = Number(value())
        if (!Number.isInteger(limit) || limit < 0) {
          fail('--request-log-limit must be an integer >= 0')
        }
        out.requestLogLimit = limit
        break
      }
      default:
        fail(`unknown argument '${arg}'`)
    }
  }
  return out
}
