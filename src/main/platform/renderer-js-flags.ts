/**
 * The V8 flags the desktop app gives its window's renderer (the page and the Explorer's query
 * worker), so it holds less garbage at a time:
 *
 * - `--heap-growing-percent=10`: the heap may grow by 10% between full collections, instead of
 *   V8's own factor (up to twice the live size and more while a page allocates fast);
 * - `--max-semi-space-size=4`: the young generation's halves stay within 4 MB (V8 lets them
 *   grow several times larger while a page allocates fast).
 *
 * Scrolling a big cache makes ag-grid build and drop thousands of rows, and the opening and the
 * idle preparation replace arrays and pool texts: with V8's defaults that garbage and the room
 * it grew into were 716–793 MB of the renderer right after the explorer benchmark's scroll at a
 * million records, 621–644 MB with these flags (571–582 MB once idle either way), with no
 * figure of its times worse beyond the run-to-run noise (README, Benchmarks). The list is JSON
 * so the benchmarks launch Chromium with the same flags.
 */
import flags from './renderer-js-flags.json'

/** The flags, checked: each a `--name=value` or `--name` V8 flag. */
export const RENDERER_JS_FLAGS: readonly string[] = checkedFlags(flags.jsFlags)

/** The `js-flags` switch's value (flags separated by spaces, as V8 reads them). */
export function jsFlagsSwitch(): string {
  return RENDERER_JS_FLAGS.join(' ')
}

export function checkedFlags(list: unknown): string[] {
  if (!Array.isArray(list) || !list.every((flag) => typeof flag === 'string')) {
    throw new Error('renderer-js-flags.json: jsFlags must be a list of strings')
  }
  for (const flag of list) {
    if (!/^--[a-z0-9-]+(=[A-Za-z0-9.-]+)?$/.test(flag)) {
      throw new Error(`renderer-js-flags.json: not a V8 flag: ${flag}`)
    }
  }
  return list
}
