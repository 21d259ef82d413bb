/**
 * Shows the About box (content from src/main/services/desktop/about.ts) as a native message box.
 */
import { clipboard, dialog, type BrowserWindow } from 'electron'

import { buildAboutContent, type AboutFacts } from '../services/desktop/about'

/** Shows the About box; "Copy details" puts the version lines on the clipboard for bug reports. */
export async function showAboutDialog(
  parent: BrowserWindow | undefined,
  facts: AboutFacts
): Promise<void> {
  const content = buildAboutContent(facts)
  const options = {
    type: 'info' as const,
    title: content.title,
    message: content.message,
    detail: content.detail,
    buttons: content.buttons,
    defaultId: 0,
    cancelId: 0,
    noLink: true
  }
  const { response } = parent
    ? await dialog.showMessageBox(parent, options)
    : await dialog.showMessageBox(options)
  if (response === 1) {
    await clipboard.writeText(`${content.message}\n${content.detail}`)
  }
}
