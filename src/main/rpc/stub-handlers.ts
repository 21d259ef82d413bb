/**
 * A complete handler map for tests of the transports: every channel throws unless overridden, so a
 * test names only the channels it exercises while the type still covers the whole contract.
 */
import { CHANNELS, type Handlers } from '../../shared/ipc/contract'

/** Handlers that throw "not stubbed", with the given ones in place. */
export function stubHandlers(overrides: Partial<Handlers>): Handlers {
  const all: Record<string, unknown> = {}
  for (const channel of CHANNELS) {
    all[channel] = async () => {
      throw new Error(`${channel} is not stubbed in this test`)
    }
  }
  return { ...(all as Handlers), ...overrides }
}
