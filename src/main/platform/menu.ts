/**
 * Maps the plain menu template (src/main/services/desktop/menu-template.ts) onto Electron's Menu.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron'

import type { MenuCommand, MenuItemSpec } from '../services/desktop/menu-template'

/** Converts one spec to Electron's options; commands call `onCommand`. Pure, no Electron calls. */
export function toMenuItemOptions(
  spec: MenuItemSpec,
  onCommand: (command: MenuCommand) => void
): MenuItemConstructorOptions {
  if ('type' in spec) {
    return { type: 'separator' }
  }
  if ('submenu' in spec) {
    return {
      label: spec.label,
      ...(spec.role ? { role: spec.role } : {}),
      submenu: spec.submenu.map((item) => toMenuItemOptions(item, onCommand))
    }
  }
  if ('command' in spec) {
    const { command } = spec
    return {
      label: spec.label,
      ...(spec.accelerator ? { accelerator: spec.accelerator } : {}),
      click: () => onCommand(command)
    }
  }
  return { role: spec.role, ...(spec.label ? { label: spec.label } : {}) }
}

/** Installs the application menu. */
export function installApplicationMenu(
  template: readonly MenuItemSpec[],
  onCommand: (command: MenuCommand) => void
): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(template.map((item) => toMenuItemOptions(item, onCommand)))
  )
}
