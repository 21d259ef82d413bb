/**
 * The preload: a list of named functions typed by the contract, exposed as `window.api`.
 *
 * No generic invoke, no ipcRenderer and no IPC event objects reach the page (Electron security
 * checklist #20 on exposing IPC). Adding a contract channel makes `satisfies AppApi` fail until
 * its function is written here.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'

import { fail, type Result } from '../shared/errors'
import type {
  AppApi,
  Channel,
  EventName,
  EventPayload,
  Input,
  Output
} from '../shared/ipc/contract'

function invoke<C extends Channel>(channel: C, input: Input<C>): Promise<Result<Output<C>>> {
  return ipcRenderer.invoke(channel, input) as Promise<Result<Output<C>>>
}

function subscribe<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void
): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: EventPayload<E>): void => listener(payload)
  ipcRenderer.on(event, wrapped)
  return () => {
    ipcRenderer.off(event, wrapped)
  }
}

const api = {
  app: {
    getInfo: (input) => invoke('app:get-info', input),
    onDidInvokeCommand: (listener) => subscribe('app:did-invoke-command', listener)
  },
  settings: {
    get: (input) => invoke('settings:get', input),
    update: (input) => invoke('settings:update', input),
    onDidChange: (listener) => subscribe('settings:did-change', listener)
  },
  profiles: {
    list: (input) => invoke('profiles:list', input),
    save: (input) => invoke('profiles:save', input),
    delete: (input) => invoke('profiles:delete', input),
    onDidChange: (listener) => subscribe('profiles:did-change', listener)
  },
  auth: {
    listStates: (input) => invoke('auth:list-states', input),
    signIn: (input) => invoke('auth:sign-in', input),
    cancelSignIn: (input) => invoke('auth:cancel-sign-in', input),
    signOut: (input) => invoke('auth:sign-out', input),
    useMemoryStorage: (input) => invoke('auth:use-memory-storage', input),
    testConnection: (input) => invoke('auth:test-connection', input),
    onDidChange: (listener) => subscribe('auth:did-change', listener),
    onDidReceiveDeviceCode: (listener) => subscribe('auth:did-receive-device-code', listener)
  },
  demo: {
    open: (input) => invoke('demo:open', input)
  },
  acquire: {
    start: (input) => invoke('acquire:start', input),
    ackBatch: (input) => invoke('acquire:ack-batch', input),
    cancel: (input) => invoke('acquire:cancel', input),
    listLog: (input) => invoke('acquire:list-log', input),
    onDidChangeLog: (listener) => subscribe('acquire:did-change-log', listener),
    onDidProduceBatch: (listener) => subscribe('acquire:did-produce-batch', listener),
    onDidProgress: (listener) => subscribe('acquire:did-progress', listener),
    onDidFinish: (listener) => subscribe('acquire:did-finish', listener)
  },
  snapshots: {
    exportBegin: (input) => invoke('snapshots:export-begin', input),
    exportAppend: (input) => invoke('snapshots:export-append', input),
    exportFinish: (input) => invoke('snapshots:export-finish', input),
    exportCancel: (input) => invoke('snapshots:export-cancel', input),
    import: (input) => invoke('snapshots:import', input),
    // The page hands over a File, never a string: only a file the user picked or dropped has a
    // path here (a File built in script has none), and main checks that path again.
    offerFile: async (file, onProgress) => {
      const path = webUtils.getPathForFile(file as File)
      if (!path) {
        return fail(
          'snapshot/invalid-file',
          'Only a snapshot file from this computer can be imported.'
        )
      }
      const result = await invoke('snapshots:offer-dropped-file', { path })
      onProgress?.(file.size, file.size)
      return result
    },
    ackImportBatch: (input) => invoke('snapshots:ack-import-batch', input),
    cancelImport: (input) => invoke('snapshots:cancel-import', input),
    onDidOpen: (listener) => subscribe('snapshots:did-open', listener),
    onDidProduceImportBatch: (listener) =>
      subscribe('snapshots:did-produce-import-batch', listener),
    onDidFinishImport: (listener) => subscribe('snapshots:did-finish-import', listener)
  },
  imports: {
    start: (input) => invoke('imports:start', input),
    offerFile: async (file, onProgress) => {
      const path = webUtils.getPathForFile(file as File)
      if (!path) {
        return fail('import/invalid-file', 'Only a file from this computer can be imported.')
      }
      const result = await invoke('imports:offer-dropped-file', { path })
      onProgress?.(file.size, file.size)
      return result
    },
    ackBatch: (input) => invoke('imports:ack-batch', input),
    cancel: (input) => invoke('imports:cancel', input),
    onDidProduceBatch: (listener) => subscribe('imports:did-produce-batch', listener),
    onDidFinish: (listener) => subscribe('imports:did-finish', listener),
    onDidOpen: (listener) => subscribe('imports:did-open', listener)
  },
  reports: {
    begin: (input) => invoke('reports:begin', input),
    append: (input) => invoke('reports:append', input),
    finish: (input) => invoke('reports:finish', input),
    cancel: (input) => invoke('reports:cancel', input)
  },
  destinations: {
    list: (input) => invoke('destinations:list', input),
    save: (input) => invoke('destinations:save', input),
    delete: (input) => invoke('destinations:delete', input)
  },
  sends: {
    begin: (input) => invoke('sends:begin', input),
    append: (input) => invoke('sends:append', input),
    finish: (input) => invoke('sends:finish', input),
    cancel: (input) => invoke('sends:cancel', input),
    onDidProgress: (listener) => subscribe('sends:did-progress', listener)
  }
} satisfies AppApi

contextBridge.exposeInMainWorld('api', api)
