import type { ThemePreference } from '../../shared/ipc/contract'

/**
 * Applies a theme preference to the document: `system` leaves the choice to the
 * `prefers-color-scheme` media query; `light` and `dark` force it.
 */
export function applyTheme(
  preference: ThemePreference,
  root: HTMLElement = document.documentElement
): void {
  if (preference === 'system') {
    delete root.dataset['theme']
  } else {
    root.dataset['theme'] = preference
  }
}
