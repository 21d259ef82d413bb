/**
 * The transport-independent core of every contract call: find the channel, parse the input with
 * its schema, run the handler, and turn whatever happens into a {@link Result}.
 *
 * Both transports (Electron IPC in src/main/ipc, HTTP in src/main/web) call {@link Dispatcher}
 * after their own sender checks, so validation and error handling cannot drift apart.
 */
import { AppError, fail, ok, type Result } from '../../shared/errors'
import { contract, isChannel, type Handlers } from '../../shared/ipc/contract'
import type { Logger } from '../services/logging/logger'

/** Runs one call from untrusted input to a result. Never throws. */
export type Dispatcher = (channel: string, rawInput: unknown) => Promise<Result<unknown>>

/** Formats a zod error as one line: `theme: Invalid option: expected one of ...`. */
function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ')
}

/** Builds the dispatcher for a complete set of handlers. */
export function createDispatcher(handlers: Handlers, log: Logger): Dispatcher {
  return async (channel, rawInput) => {
    if (!isChannel(channel)) {
      log.warn(`[rpc] refused unknown channel ${JSON.stringify(channel.slice(0, 80))}`)
      return fail('ipc/unknown-channel', `Unknown channel: ${channel.slice(0, 80)}`)
    }
    const parsed = contract[channel].input.safeParse(rawInput)
    if (!parsed.success) {
      log.warn(`[rpc] refused ${channel}: invalid input`)
      return fail(
        'ipc/invalid-input',
        `Invalid input for ${channel}: ${describeIssues(parsed.error.issues)}`
      )
    }
    try {
      const handler = handlers[channel] as (input: unknown) => Promise<unknown>
      return ok(await handler(parsed.data))
    } catch (error) {
      if (error instanceof AppError) {
        return fail(error.code, error.message)
      }
      // Unexpected errors may carry paths or secrets in their text: log the name only and return a
      // generic message.
      log.error(`[rpc] ${channel} failed: ${error instanceof Error ? error.name : typeof error}`)
      return fail('ipc/internal', `${channel} failed unexpectedly; see the log for details.`)
    }
  }
}
