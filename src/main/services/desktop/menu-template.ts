/**
 * The application menu as plain data. src/main/platform/menu.ts maps it onto Electron's Menu;
 * keeping it here makes every item, shortcut and dev-only entry testable without Electron.
 */

/** Commands the app carries out itself (the rest are Electron roles). */
export type MenuCommand =
  'open-snapshot' | 'import-audit-file' | 'export' | 'about' | 'open-docs' | 'open-logs-folder'

/** Electron menu roles this menu uses (a subset of Electron's `role` values). */
export type MenuRole =
  | 'appMenu'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'window'
  | 'help'

/** One menu entry: a separator, a role, a command, or a submenu. */
export type MenuItemSpec =
  | { type: 'separator' }
  | { role: MenuRole; label?: string }
  | { label: string; command: MenuCommand; accelerator?: string }
  | { label: string; role?: MenuRole; submenu: MenuItemSpec[] }

/** What the menu depends on. */
export interface MenuContext {
  platform: NodeJS.Platform
  /** Development build (`!app.isPackaged`): adds reload and developer tools. */
  isDev: boolean
  appName: string
}

/** The documentation the Help menu opens (the project's README). */
export const DOCUMENTATION_URL =
  'https://github.com/connector-audit-explorer/connector-audit-explorer#readme'

const separator: MenuItemSpec = { type: 'separator' }

/**
 * Builds the application menu: File (Open snapshot… Ctrl/Cmd+O, Export… Ctrl/Cmd+E), Edit (roles),
 * View (reload and developer tools in development only; zoom; full screen), Window, Help
 * (documentation, logs folder, About). macOS gets its app menu, and About moves there.
 */
export function buildMenuTemplate(context: MenuContext): MenuItemSpec[] {
  const isMac = context.platform === 'darwin'
  const about: MenuItemSpec = { label: `About ${context.appName}`, command: 'about' }
  const template: MenuItemSpec[] = []
  if (isMac) {
    template.push({
      label: context.appName,
      role: 'appMenu',
      submenu: [
        about,
        separator,
        { role: 'services' },
        separator,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        separator,
        { role: 'quit' }
      ]
    })
  }
  template.push({
    label: '&File',
    submenu: [
      { label: 'Open Snapshot…', command: 'open-snapshot', accelerator: 'CmdOrCtrl+O' },
      { label: 'Import Audit File…', command: 'import-audit-file' },
      { label: 'Export…', command: 'export', accelerator: 'CmdOrCtrl+E' },
      separator,
      isMac ? { role: 'close' } : { role: 'quit', label: 'E&xit' }
    ]
  })
  template.push({
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(isMac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' }
    ]
  })
  template.push({
    label: '&View',
    submenu: [
      ...(context.isDev
        ? [
            { role: 'reload' } as const,
            { role: 'forceReload' } as const,
            { role: 'toggleDevTools' } as const,
            separator
          ]
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' }
    ]
  })
  template.push({
    label: '&Window',
    role: 'window',
    submenu: isMac
      ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'close' }]
  })
  template.push({
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'Documentation', command: 'open-docs' },
      { label: 'Open Logs Folder', command: 'open-logs-folder' },
      ...(isMac ? [] : [separator, about])
    ]
  })
  return template
}

/** Every item of a template, submenus flattened (for tests and lookups). */
export function flattenMenu(items: readonly MenuItemSpec[]): MenuItemSpec[] {
  return items.flatMap((item) =>
    'submenu' in item ? [item, ...flattenMenu(item.submenu)] : [item]
  )
}
