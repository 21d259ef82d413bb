/**
 * The run of a KQL pull (`cax pull --source workspace|adx`): the store opened and closed,
 * Ctrl+C turned into an abort, the failed windows listed, the summary line (or `--json`) and
 * the exit code — the same for every KQL source, so each command only says what it reads.
 */
import { AppError } from '../../shared/errors'
import { TokenDestinationError } from '../../main/services/audit-api/token-destination'
import type { KqlPullResult } from '../../main/services/sources/kql/kql-table-pull'
import { FileStore, StoreError } from '../../main/services/store/file-store'
import type { CliIo } from '../cli-io'
import { ExitCode } from '../exit-codes'

/** What the run needs to know of the command's options. */
export interface KqlPullRunOptions {
  /** The store folder. */
  store: string
  json: boolean
  /** The first stderr line, saying what is read from where (without `[pull] `). */
  header: string
  /** Whether an error is the service refusing the sign-in or the permission (exit 4). */
  isAuthError: (error: unknown) => boolean
}

/** What the pull reads into and when it must stop. */
export interface KqlPullContext {
  sink: FileStore
  signal: AbortSignal
  onProgress: (line: string) => void
}

/** The store `cax pull` writes into, or the exit code after saying why it cannot be opened. */
export async function openPullStore(io: CliIo, dir: string): Promise<FileStore | number> {
  try {
    return await FileStore.open(dir)
  } catch (error) {
    io.stderr.write(`cax pull: ${(error as Error).message}\n`)
    return error instanceof StoreError ? ExitCode.invalidInput : ExitCode.other
  }
}

/** Opens the store, runs `pull` into it until done or interrupted, reports; resolves to the exit code. */
export async function runKqlPull(
  io: CliIo,
  options: KqlPullRunOptions,
  pull: (context: KqlPullContext) => Promise<KqlPullResult>
): Promise<number> {
  const store = await openPullStore(io, options.store)
  if (typeof store === 'number') {
    return store
  }
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  io.stderr.write(`[pull] ${options.header}\n`)
  let result: KqlPullResult | undefined
  let code: number = ExitCode.ok
  try {
    result = await pull({
      sink: store,
      signal: controller.signal,
      onProgress: (line) => io.stderr.write(`${line}\n`)
    })
  } catch (error) {
    code = stopExitCode(error, options.isAuthError)
    io.stderr.write(`cax pull: ${error instanceof Error ? error.message : String(error)}\n`)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await store.close().catch((error: unknown) => {
      io.stderr.write(`cax pull: closing the store failed: ${(error as Error).message}\n`)
      code = ExitCode.other
    })
  }
  if (!result) {
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ error: code, stored: store.size })}\n`)
    }
    return code
  }
  const isPartial = result.windows.partial > 0 || result.windows.failed > 0
  for (const w of result.failedWindows) {
    io.stderr.write(
      `[pull] ${w.status} ${w.contentType} ${w.start} – ${w.end}: ${w.error ? `${w.error.code} ${w.error.message}` : 'no reason recorded'}\n`
    )
  }
  if (isPartial) {
    io.stderr.write('[pull] run the same pull again to fill in what is missing\n')
  }
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ ...result, stored: store.size })}\n`
      : `${result.new} new records stored (${store.size} in the store); ${result.duplicates} duplicates; ${result.rejected} rejected; ${result.queries} queries, ${result.splits} split; windows: ${result.windows.complete} complete, ${result.windows.listed} not settled yet, ${result.windows.partial} partial, ${result.windows.failed} failed, ${result.windows.skipped} already complete\n`
  )
  return code !== ExitCode.ok ? code : isPartial ? ExitCode.partial : ExitCode.ok
}

/**
 * The exit code of a pull or push that stopped on an error: 4 for a refused sign-in or
 * permission, 3 for Ctrl+C (run it again), 1 otherwise.
 */
export function stopExitCode(error: unknown, isAuthError: (error: unknown) => boolean): number {
  if (error instanceof AppError && error.code.startsWith('auth/')) {
    return ExitCode.auth
  }
  if (isAuthError(error)) {
    return ExitCode.auth
  }
  if (error instanceof TokenDestinationError) {
    return ExitCode.other
  }
  if (error instanceof Error && error.message === 'interrupted') {
    return ExitCode.partial
  }
  return ExitCode.other
}
