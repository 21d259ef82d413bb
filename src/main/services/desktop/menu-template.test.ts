import { describe, expect, it } from 'vitest'

import { buildMenuTemplate, flattenMenu, type MenuItemSpec } from './menu-template'

const appName = 'Connector Audit Explorer'
const labels = (items: MenuItemSpec[]): string[] =>
  items.map((i) => ('label' in i && i.label ? i.label : 'role' in i && i.role ? i.role : '—'))
const roles = (items: MenuItemSpec[]): string[] =>
  flattenMenu(items).flatMap((i) => ('role' in i && i.role ? [i.role] : []))
const commands = (items: MenuItemSpec[]): Record<string, string | undefined> =>
  Object.fromEntries(
    flattenMenu(items).flatMap((i) => ('command' in i ? [[i.command, i.accelerator]] : []))
  )

describe('buildMenuTemplate', () => {
  it('Windows/Linux: File, Edit, View, Window, Help with About under Help', () => {
    const menu = buildMenuTemplate({ platform: 'win32', isDev: false, appName })
    expect(labels(menu)).toEqual(['&File', '&Edit', '&View', '&Window', '&Help'])
    expect(commands(menu)).toEqual({
      'open-snapshot': 'CmdOrCtrl+O',
      'import-audit-file': undefined,
      export: 'CmdOrCtrl+E',
      'open-docs': undefined,
      'open-logs-folder': undefined,
      about: undefined
    })
    const help = menu.at(-1)
    expect(help && 'submenu' in help ? labels(help.submenu).at(-1) : null).toBe(`About ${appName}`)
    expect(roles(menu)).toContain('quit')
    expect(roles(menu)).not.toContain('pasteAndMatchStyle')
  })

  it('macOS: the app menu comes first and holds About and Quit', () => {
    const menu = buildMenuTemplate({ platform: 'darwin', isDev: false, appName })
    expect(labels(menu)).toEqual([appName, '&File', '&Edit', '&View', '&Window', '&Help'])
    const first = menu[0]
    expect(first && 'submenu' in first ? labels(first.submenu) : []).toEqual([
      `About ${appName}`,
      '—',
      'services',
      '—',
      'hide',
      'hideOthers',
      'unhide',
      '—',
      'quit'
    ])
    expect(roles(menu)).toEqual(expect.arrayContaining(['close', 'pasteAndMatchStyle', 'front']))
    // About appears exactly once.
    expect(flattenMenu(menu).filter((i) => 'command' in i && i.command === 'about')).toHaveLength(1)
  })

  it.each(['win32', 'darwin', 'linux'] as const)(
    '%s: reload and developer tools only in development',
    (platform) => {
      const release = roles(buildMenuTemplate({ platform, isDev: false, appName }))
      const dev = roles(buildMenuTemplate({ platform, isDev: true, appName }))
      for (const role of ['reload', 'forceReload', 'toggleDevTools']) {
        expect(release).not.toContain(role)
        expect(dev).toContain(role)
      }
      expect(release).toEqual(expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom']))
    }
  )

  it('has no two items with the same accelerator', () => {
    for (const platform of ['win32', 'darwin', 'linux'] as const) {
      const accelerators = flattenMenu(
        buildMenuTemplate({ platform, isDev: true, appName })
      ).flatMap((i) => ('accelerator' in i && i.accelerator ? [i.accelerator] : []))
      expect(new Set(accelerators).size).toBe(accelerators.length)
    }
  })
})
