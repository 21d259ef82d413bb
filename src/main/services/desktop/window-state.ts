/**
 * The main window's remembered size and position (`window-state.json` in the data folder), and
 * the pure rule that brings a saved window back on screen when displays changed since (a monitor
 * unplugged, a resolution lowered, a laptop undocked).
 */
import { join } from 'node:path'

import { z } from 'zod'

import { readJsonFile, writeJsonFileAtomic } from '../json-store/json-file'
import type { Logger } from '../logging/logger'

/** A rectangle in screen coordinates (DIPs), as Electron reports bounds and work areas. */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const Int = z.number().int().min(-100_000).max(100_000)

/** The saved state, as stored. */
export const SavedWindowState = z.object({
  bounds: z.object({ x: Int, y: Int, width: Int.min(1), height: Int.min(1) }),
  isMaximized: z.boolean()
})
export type SavedWindowState = z.infer<typeof SavedWindowState>

/** Size limits of the window. */
export interface WindowSizing {
  width: number
  height: number
  minWidth: number
  minHeight: number
}

/** What to create the window with: no x/y means "let the OS centre it". */
export interface InitialWindowState {
  width: number
  height: number
  x?: number
  y?: number
  isMaximized: boolean
}

/** The window must show at least this much of itself on some display to stay where it was. */
const MIN_VISIBLE = { width: 120, height: 40 }

function intersection(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x)
  const y = Math.max(a.y, b.y)
  const right = Math.min(a.x + a.width, b.x + b.width)
  const bottom = Math.min(a.y + a.height, b.y + b.height)
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max))
}

/**
 * Turns the saved state (anything read from disk) into safe initial bounds for the current
 * displays' work areas (`screen.getAllDisplays().map(d => d.workArea)`, primary first):
 * invalid or missing → the default size, centred by the OS; the display showing most of the
 * window wins; a window that shows too little of itself (its title bar) anywhere moves to the
 * primary display; the size shrinks to fit the display and the position keeps it fully inside.
 */
export function restoreWindowState(
  saved: unknown,
  workAreas: readonly Rect[],
  sizing: WindowSizing
): InitialWindowState {
  const fallback: InitialWindowState = {
    width: sizing.width,
    height: sizing.height,
    isMaximized: false
  }
  const parsed = SavedWindowState.safeParse(saved)
  const primary = workAreas[0]
  if (!parsed.success || primary === undefined) {
    return fallback
  }
  const { bounds, isMaximized } = parsed.data
  let best: { area: Rect; visible: Rect } | null = null
  for (const area of workAreas) {
    const visible = intersection(bounds, area)
    if (
      visible &&
      (!best || visible.width * visible.height > best.visible.width * best.visible.height)
    ) {
      best = { area, visible }
    }
  }
  const isVisibleEnough =
    best !== null &&
    best.visible.width >= Math.min(MIN_VISIBLE.width, bounds.width) &&
    best.visible.height >= Math.min(MIN_VISIBLE.height, bounds.height)
  const area = isVisibleEnough && best ? best.area : primary
  const width = clamp(bounds.width, Math.min(sizing.minWidth, area.width), area.width)
  const height = clamp(bounds.height, Math.min(sizing.minHeight, area.height), area.height)
  if (!isVisibleEnough) {
    return {
      width,
      height,
      x: Math.round(area.x + (area.width - width) / 2),
      y: Math.round(area.y + (area.height - height) / 2),
      isMaximized
    }
  }
  return {
    width,
    height,
    x: clamp(bounds.x, area.x, area.x + area.width - width),
    y: clamp(bounds.y, area.y, area.y + area.height - height),
    isMaximized
  }
}

/** Reads and writes `window-state.json` in the data folder. Failures are logged, never thrown. */
export class WindowStateStore {
  private readonly file: string

  constructor(private readonly deps: { dataDir: string; log: Logger }) {
    this.file = join(deps.dataDir, 'window-state.json')
  }

  /** The saved state as stored (still unknown: {@link restoreWindowState} validates it). */
  async load(): Promise<unknown> {
    try {
      return await readJsonFile(this.file)
    } catch {
      this.deps.log.warn('[window] window-state.json unreadable; using the default size')
      return undefined
    }
  }

  /** Saves the state (the normal bounds, i.e. not the maximized ones). */
  async save(state: SavedWindowState): Promise<void> {
    const checked = SavedWindowState.safeParse(state)
    if (!checked.success) {
      return
    }
    await writeJsonFileAtomic(this.file, checked.data).catch((error: unknown) => {
      this.deps.log.warn(
        `[window] could not save window-state.json: ${(error as NodeJS.ErrnoException).code ?? 'unknown'}`
      )
    })
  }
}
