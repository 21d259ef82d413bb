import { useCallback, useEffect, useMemo, useRef, useState } from 'react'

import { reachableSince } from '../../shared/acquisition'
import type { ErrorInfo } from '../../shared/errors'
import type {
  AppApi,
  AppInfo,
  EventPayload,
  Settings,
  ThemePreference
} from '../../shared/ipc/contract'

import type { Transport } from './api/pick-api'
import { ConnectionsView } from './connections/ConnectionsView'
import { ErrorNotice } from './connections/ErrorNotice'
import { useConnections } from './connections/use-connections'
import { CacheSetting } from './settings/CacheSetting'
import { UpdatesSetting } from './settings/UpdatesSetting'
import { useAuditImport } from './imports/use-audit-import'
import { useSnapshots } from './snapshots/use-snapshots'
import { openAppDb } from './db/app-db'
import { ExplorerView } from './explorer/ExplorerView'
import { queryWorkers } from './explorer/query-worker-keeper'
import type { RecordFocus } from './explorer/record-focus'
import { FindingsView } from './governance/FindingsView'
import { ResourcesView } from './governance/ResourcesView'
import { useGovernance } from './governance/use-governance'
import { SyncPanel } from './sync/SyncPanel'
import { useSync } from './sync/use-sync'
import { applyTheme } from './theme'
import { viewFromHash, type View } from './app-view'

const TRANSPORT_LABEL: Record<Transport, string> = {
  ipc: 'Desktop app (IPC)',
  http: 'Browser shell (HTTP)'
}

const THEMES: { value: ThemePreference; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' }
]

const DOCS_URL =
  'https://learn.microsoft.com/en-us/power-platform/admin/connector-events-power-platform'

/** How much a first demo sync pulls: the Management Activity API's full reach. */
const DEMO_SYNC_HOURS = 7 * 24

type LoadState =
  | { state: 'loading' }
  | { state: 'ready'; info: AppInfo; settings: Settings }
  | { state: 'error'; error: ErrorInfo }

export interface AppProps {
  api: AppApi
  transport: Transport
}

/** The app frame: header, navigation, the current view and a status bar. */
export function App({ api, transport }: AppProps): React.JSX.Element {
  const [load, setLoad] = useState<LoadState>({ state: 'loading' })
  const [notice, setNotice] = useState<ErrorInfo | null>(null)
  const [view, setView] = useState<View>(() => viewFromHash(window.location.hash))
  const [isOpeningDemo, setIsOpeningDemo] = useState(false)
  const connections = useConnections(api)
  const [db] = useState(() => openAppDb())
  // Ask the browser to keep the cache even when the disk runs low (granted or not, it says so
  // in Settings → Cache).
  useEffect(() => {
    void navigator.storage?.persist?.().catch(() => false)
  }, [])
  const [openedSnapshot, setOpenedSnapshot] = useState<EventPayload<'snapshots:did-open'> | null>(
    null
  )

  // Subscribed at mount: main sends snapshots opened from the OS as soon as the page has loaded.
  useEffect(() => api.snapshots.onDidOpen(setOpenedSnapshot), [api])
  // One sync per window, owned here so it goes on while the user switches views.
  const sync = useSync(api, db)
  const snapshots = useSnapshots(api, db)
  const auditImport = useAuditImport(api, db)
  // The governance worker starts the first time Resources or Findings opens, then stays.
  const governance = useGovernance(db, view === 'resources' || view === 'findings')
  const [focus, setFocus] = useState<RecordFocus | null>(null)
  const showRecords = useCallback((label: string, recordIds: string[]) => {
    setFocus((current) => ({ label, recordIds, seq: (current?.seq ?? 0) + 1 }))
    window.location.hash = '#explorer'
  }, [])
  const clearFocus = useCallback(() => setFocus(null), [])
  const { chooseAndImport, importOffered } = auditImport
  // An audit export opened from the OS is imported at once (the user asked for it), in Sync.
  useEffect(
    () =>
      api.imports.onDidOpen((offered) => {
        window.location.hash = '#sync'
        void importOffered(offered)
      }),
    [api, importOffered]
  )
  useEffect(
    () =>
      api.app.onDidInvokeCommand(({ command }) => {
        if (command === 'export') {
          window.location.hash = '#explorer'
        } else if (command === 'import-audit-file') {
          window.location.hash = '#sync'
          void chooseAndImport()
        }
      }),
    [api, chooseAndImport]
  )

  useEffect(() => {
    const onHash = (): void => setView(viewFromHash(window.location.hash))
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
  }, [])

  useEffect(() => {
    let isActive = true
    void Promise.all([api.app.getInfo({}), api.settings.get({})]).then(([info, settings]) => {
      if (!isActive) {
        return
      }
      if (!info.ok) {
        setLoad({ state: 'error', error: info.error })
      } else if (!settings.ok) {
        setLoad({ state: 'error', error: settings.error })
      } else {
        applyTheme(settings.value.theme)
        setLoad({ state: 'ready', info: info.value, settings: settings.value })
      }
    })
    const unsubscribe = api.settings.onDidChange((settings) => {
      applyTheme(settings.theme)
      setLoad((current) => (current.state === 'ready' ? { ...current, settings } : current))
    })
    return () => {
      isActive = false
      unsubscribe()
    }
  }, [api])

  useEffect(() => {
    document.getElementById('root')?.setAttribute('data-app-state', load.state)
  }, [load.state])
  // The Explorer's query worker (query-worker-keeper.ts) is kept while other views show and is
  // handed every chunk this window commits, so the Explorer is ready the moment an import or a
  // sync ends. It is stopped when the window cannot start.
  useEffect(() => queryWorkers.follow(db), [db])
  useEffect(() => {
    if (load.state === 'error') {
      queryWorkers.discard()
    }
  }, [load.state])

  // The Explorer is rendered from a memoized element: sync progress and every committed batch
  // re-render the frame (status bar), and must not re-render the grid, facets and histogram.
  const exploreDemoRef = useRef<() => Promise<void>>(async () => undefined)
  const onExploreDemo = useCallback(() => void exploreDemoRef.current(), [])
  const explorerView = useMemo(
    () => (
      <ExplorerView
        api={api}
        db={db}
        docsUrl={DOCS_URL}
        isOpeningDemo={isOpeningDemo}
        onExploreDemo={onExploreDemo}
        focus={focus}
        onClearFocus={clearFocus}
      />
    ),
    [api, db, isOpeningDemo, onExploreDemo, focus, clearFocus]
  )

  async function exploreDemo(): Promise<void> {
    setIsOpeningDemo(true)
    setNotice(null)
    const demo = await api.demo.open({})
    const signedIn = demo.ok ? await api.auth.signIn({ profileId: demo.value.id }) : demo
    setIsOpeningDemo(false)
    if (!signedIn.ok) {
      setNotice(signedIn.error)
      return
    }
    // First run: pull the demo tenant's last 7 days straight away; rows appear as batches land.
    const now = new Date()
    await sync.start({
      profileId: signedIn.value.profileId,
      tenantId: signedIn.value.account?.tenantId ?? '',
      since: reachableSince(DEMO_SYNC_HOURS, now),
      until: now,
      history: false
    })
  }

  useEffect(() => {
    exploreDemoRef.current = exploreDemo
  })

  async function chooseTheme(theme: ThemePreference): Promise<void> {
    const result = await api.settings.update({ theme })
    setNotice(result.ok ? null : result.error)
  }

  if (load.state === 'loading') {
    return <div className="splash">Loading…</div>
  }
  if (load.state === 'error') {
    return (
      <div className="splash" role="alert">
        <h1>Connector Audit Explorer could not start</h1>
        <p>{load.error.message}</p>
        <p className="muted">Error code: {load.error.code}</p>
      </div>
    )
  }

  const { info, settings } = load
  return (
    <div className="frame">
      <header className="frame-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Connector Audit Explorer</span>
        </div>
        <nav className="frame-nav" aria-label="Main">
          <a
            className="nav-item"
            aria-current={view === 'explorer' ? 'page' : undefined}
            href="#explorer"
          >
            Explorer
          </a>
          <a
            className="nav-item"
            aria-current={view === 'resources' ? 'page' : undefined}
            href="#resources"
          >
            Resources
          </a>
          <a
            className="nav-item"
            aria-current={view === 'findings' ? 'page' : undefined}
            href="#findings"
          >
            Findings
          </a>
          <a className="nav-item" aria-current={view === 'sync' ? 'page' : undefined} href="#sync">
            Sync
          </a>
          <a
            className="nav-item"
            aria-current={view === 'connections' ? 'page' : undefined}
            href="#connections"
          >
            Connections
          </a>
          <a
            className="nav-item"
            aria-current={view === 'settings' ? 'page' : undefined}
            href="#settings"
          >
            Settings
          </a>
        </nav>
        <label className="theme-picker">
          Theme
          <select
            aria-label="Theme"
            value={settings.theme}
            onChange={(e) => void chooseTheme(e.target.value as ThemePreference)}
          >
            {THEMES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
      </header>

      <main className="frame-main">
        {notice && <ErrorNotice api={api} error={notice} />}
        {openedSnapshot && (
          <SnapshotBanner
            opened={openedSnapshot}
            onImport={(offered) => {
              setOpenedSnapshot(null)
              window.location.hash = '#sync'
              void snapshots.importOffered(offered)
            }}
            onClose={() => setOpenedSnapshot(null)}
          />
        )}
        {view === 'settings' ? (
          <section className="settings" aria-label="Settings">
            <UpdatesSetting api={api} value={settings.updates} shell={info.shell} />
            <CacheSetting db={db} />
          </section>
        ) : view === 'resources' ? (
          <ResourcesView governance={governance} onShowRecords={showRecords} />
        ) : view === 'findings' ? (
          <FindingsView governance={governance} onShowRecords={showRecords} />
        ) : view === 'connections' ? (
          <ConnectionsView api={api} connections={connections} />
        ) : view === 'sync' ? (
          <SyncPanel
            api={api}
            snapshots={snapshots}
            auditImport={auditImport}
            db={db}
            sync={sync}
            profiles={connections.profiles}
            states={connections.states}
          />
        ) : (
          explorerView
        )}
      </main>

      <footer className="status-bar">
        <span data-testid="transport">{TRANSPORT_LABEL[transport]}</span>
        <span data-testid="version">v{info.version}</span>
        <SyncStatus sync={sync} />
        {info.electronVersion && <span>Electron {info.electronVersion}</span>}
      </footer>
    </div>
  )
}

/** The sync's state in the status bar, visible from every view. */
function SyncStatus({ sync }: { sync: ReturnType<typeof useSync> }): React.JSX.Element | null {
  const { state, runs } = sync
  // data-sync-run and data-outcome let tests (and tools) wait on the sync's state, not on time.
  if (state.status === 'starting') {
    return (
      <a href="#sync" data-testid="sync-status" data-sync-run={runs}>
        Sync starting…
      </a>
    )
  }
  if (state.status === 'running') {
    const p = state.progress
    return (
      <a href="#sync" data-testid="sync-status" data-sync-run={runs}>
        Syncing{p ? ` · ${p.records.toLocaleString()} records` : '…'}
        {p?.throttle.isThrottled ? ' · throttled' : ''}
      </a>
    )
  }
  if (state.status === 'finished') {
    return (
      <a href="#sync" data-testid="sync-status" data-sync-run={runs} data-outcome={state.outcome}>
        Last sync: {state.outcome}
        {state.summary ? ` · ${state.summary.new.toLocaleString()} new` : ''}
      </a>
    )
  }
  return null
}

/** The verification result of a snapshot file opened from the operating system. */
function SnapshotBanner({
  opened,
  onImport,
  onClose
}: {
  opened: EventPayload<'snapshots:did-open'>
  onImport: (offered: { handle: string; name: string }) => void
  onClose: () => void
}): React.JSX.Element {
  const { verification, handle } = opened
  return (
    <div
      className={verification.ok ? 'sync-result' : 'notice'}
      role={verification.ok ? 'status' : 'alert'}
      data-testid="snapshot-banner"
    >
      {verification.ok
        ? `Snapshot ${opened.path} verified: ${verification.manifest?.recordCount.toLocaleString() ?? '?'} records, fingerprint ${verification.fingerprint ?? ''}.`
        : `Snapshot ${opened.path} failed verification: ${verification.failures
            .map((f) => `${f.part}: ${f.message}`)
            .join('; ')}`}{' '}
      {handle !== null && (
        <button type="button" onClick={() => onImport({ handle, name: opened.path })}>
          Import it
        </button>
      )}{' '}
      <button type="button" onClick={onClose}>
        Dismiss
      </button>
    </div>
  )
}
