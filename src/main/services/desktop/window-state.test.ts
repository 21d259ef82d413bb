import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { MemoryLogger } from '../logging/logger'

import { restoreWindowState, WindowStateStore, type Rect } from './window-state'

const SIZING = { width: 1400, height: 900, minWidth: 900, minHeight: 600 }
const PRIMARY: Rect = { x: 0, y: 0, width: 1920, height: 1040 }
// A second monitor to the right of the primary one.
const RIGHT: Rect = { x: 1920, y: 0, width: 2560, height: 1400 }
const saved = (x: number, y: number, width = 1200, height = 800, isMaximized = false): unknown => ({
  bounds: { x, y, width, height },
  isMaximized
})

describe('restoreWindowState', () => {
  it('keeps a window that is on screen where it was', () => {
    expect(restoreWindowState(saved(100, 50), [PRIMARY], SIZING)).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
      isMaximized: false
    })
    expect(restoreWindowState(saved(2000, 100, 1200, 800, true), [PRIMARY, RIGHT], SIZING)).toEqual(
      { x: 2000, y: 100, width: 1200, height: 800, isMaximized: true }
    )
  })

  it('brings back a window left on a monitor that is gone, centred on the primary display', () => {
    expect(restoreWindowState(saved(2000, 100), [PRIMARY], SIZING)).toEqual({
      x: 360,
      y: 120,
      width: 1200,
      height: 800,
      isMaximized: false
    })
  })

  it('moves a window whose title bar is off the top or barely visible', () => {
    const aboveTop = restoreWindowState(saved(100, -790), [PRIMARY], SIZING)
    expect(aboveTop.y).toBeGreaterThanOrEqual(0)
    const sliver = restoreWindowState(saved(1900, 100), [PRIMARY], SIZING)
    expect(sliver).toMatchObject({ x: 360, y: 120 })
  })

  it('pulls a partly visible window fully inside the display that shows most of it', () => {
    expect(restoreWindowState(saved(1000, 500), [PRIMARY], SIZING)).toEqual({
      x: 720,
      y: 240,
      width: 1200,
      height: 800,
      isMaximized: false
    })
    // Mostly on the right monitor: it stays there.
    expect(restoreWindowState(saved(1800, 100), [PRIMARY, RIGHT], SIZING)).toMatchObject({
      x: 1920,
      y: 100
    })
  })

  it('shrinks a window larger than the display (resolution lowered), not below the minimum', () => {
    const small: Rect = { x: 0, y: 0, width: 1280, height: 680 }
    expect(restoreWindowState(saved(0, 0, 2400, 1300), [small], SIZING)).toEqual({
      x: 0,
      y: 0,
      width: 1280,
      height: 680,
      isMaximized: false
    })
    expect(restoreWindowState(saved(0, 0, 300, 200), [PRIMARY], SIZING)).toMatchObject({
      width: 900,
      height: 600
    })
  })

  it('handles displays with negative coordinates (a monitor left of the primary)', () => {
    const left: Rect = { x: -1680, y: 0, width: 1680, height: 1010 }
    expect(restoreWindowState(saved(-1500, 50), [PRIMARY, left], SIZING)).toMatchObject({
      x: -1500,
      y: 50
    })
  })

  it.each([
    ['nothing saved', undefined],
    ['garbage', 'hello'],
    ['a wrong shape', { bounds: { x: 0, y: 0 }, isMaximized: false }],
    ['NaN-like values', { bounds: { x: 0, y: 0, width: 1e9, height: 10 }, isMaximized: false }],
    ['fractions', { bounds: { x: 0.5, y: 0, width: 1000, height: 700 }, isMaximized: false }]
  ])('falls back to the default size, centred by the OS, for %s', (_label, value) => {
    expect(restoreWindowState(value, [PRIMARY], SIZING)).toEqual({
      width: 1400,
      height: 900,
      isMaximized: false
    })
  })

  it('falls back when no display is known', () => {
    expect(restoreWindowState(saved(0, 0), [], SIZING)).toEqual({
      width: 1400,
      height: 900,
      isMaximized: false
    })
  })
})

describe('WindowStateStore', () => {
  it('round-trips through window-state.json and survives a damaged file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cax-ws-'))
    try {
      const log = new MemoryLogger()
      const store = new WindowStateStore({ dataDir: dir, log })
      await expect(store.load()).resolves.toBeUndefined()
      const state = { bounds: { x: 10, y: 20, width: 1000, height: 700 }, isMaximized: true }
      await store.save(state)
      await expect(store.load()).resolves.toEqual(state)
      expect(JSON.parse(await readFile(join(dir, 'window-state.json'), 'utf8'))).toEqual(state)
      await writeFile(join(dir, 'window-state.json'), '{oops')
      await expect(store.load()).resolves.toBeUndefined()
      expect(log.lines).toEqual([
        'warn [window] window-state.json unreadable; using the default size'
      ])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
