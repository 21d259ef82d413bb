import { describe, expect, it, vi } from 'vitest'

import { buildMenuTemplate, type MenuCommand } from '../services/desktop/menu-template'

import { toMenuItemOptions } from './menu'

// The mapping is pure; Menu itself is never called here (rule 14: mocking electron is allowed in
// platform/ tests).
vi.mock('electron', () => ({ Menu: {} }))

describe('toMenuItemOptions', () => {
  it('maps roles, separators, submenus, accelerators and commands', () => {
    const seen: MenuCommand[] = []
    const template = buildMenuTemplate({ platform: 'linux', isDev: false, appName: 'CAX' })
    const [file] = template.map((item) => toMenuItemOptions(item, (c) => seen.push(c)))
    expect(file?.label).toBe('&File')
    const items = file?.submenu as { label?: string; accelerator?: string; click?: () => void }[]
    expect(items[0]).toMatchObject({ label: 'Open Snapshot…', accelerator: 'CmdOrCtrl+O' })
    expect(items[1]).toMatchObject({ label: 'Import Audit File…' })
    items[0]?.click?.()
    items[1]?.click?.()
    items[2]?.click?.()
    expect(seen).toEqual(['open-snapshot', 'import-audit-file', 'export'])
    expect(items[3]).toEqual({ type: 'separator' })
    expect(items[4]).toEqual({ role: 'quit', label: 'E&xit' })
  })
})
