/**
 * The Electron transport: every contract channel is registered through {@link registerIpc}, which
 * refuses senders that are not the top frame of our own origin (Electron security checklist #17)
 * and hands the input to the shared dispatcher (schema parsing, error-to-result conversion).
 */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron'

import { fail, type Result } from '../../shared/errors'
import { CHANNELS } from '../../shared/ipc/contract'
import { isTrustedSender } from '../platform/security'
import type { Dispatcher } from '../rpc/dispatch'
import type { EventBus } from '../rpc/event-bus'
import type { Logger } from '../services/logging/logger'

/** Describes the frame that sent an IPC message, for the pure sender policy. */
function senderOf(event: IpcMainInvokeEvent): { url: string; isTopFrame: boolean } | null {
  const frame = event.senderFrame
  if (!frame) {
    return null
  }
  return { url: frame.url, isTopFrame: frame.parent === null }
}

/** Builds the `ipcMain.handle` listener for one channel. Exported for tests. */
export function createIpcListener(
  channel: string,
  dispatch: Dispatcher,
  log: Logger,
  devServerUrl?: string
): (event: IpcMainInvokeEvent, raw: unknown) => Promise<Result<unknown>> {
  return async (event, raw) => {
    const sender = senderOf(event)
    if (!isTrustedSender(sender, devServerUrl)) {
      log.warn(`[ipc] refused ${channel} from ${sender?.url.slice(0, 200) ?? 'unknown frame'}`)
      return fail('ipc/forbidden', 'Sender not allowed')
    }
    return dispatch(channel, raw)
  }
}

/** Registers every channel and forwards bus events to all windows. */
export function registerIpc(
  dispatch: Dispatcher,
  bus: EventBus,
  log: Logger,
  devServerUrl?: string
): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, createIpcListener(channel, dispatch, log, devServerUrl))
  }
  bus.subscribe((event, payload) => {
    for (const window of BrowserWindow.getAllWindows()) {
      window.webContents.send(event, payload)
    }
  })
}
