import { useEffect, useState } from 'react'

import type { ErrorInfo } from '../../shared/errors'
import type { AppApi, AppInfo, Settings, ThemePreference } from '../../shared/ipc/contract'

import type { Transport } from './api/pick-api'
import { ConnectionsView } from './connections/ConnectionsView'
import { useConnections } from './connections/use-connections'
import { applyTheme } from './theme'

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

type View = 'explorer' | 'connections'

function viewFromHash(hash: string): View {
  return hash === '#connections' ? 'connections' : 'explorer'
}

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
    window.location.hash = '#connections'
  }

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
            aria-current={view === 'connections' ? 'page' : undefined}
            href="#connections"
          >
            Connections
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
        {notice && (
          <div className="notice" role="alert">
            {notice.message}
          </div>
        )}
        {view === 'connections' ? (
          <ConnectionsView api={api} connections={connections} />
        ) : (
          <section className="empty-state" aria-labelledby="empty-title">
            <h1 id="empty-title">No audit records cached yet</h1>
            <p>
              Connector Audit Explorer pulls Power Platform connector activity — APIs, connections,
              permissions, gateways and data-policy actions — from the Microsoft 365 unified audit
              log into a local cache you can explore offline.
            </p>
            <p>
              <a href={DOCS_URL} target="_blank" rel="noreferrer noopener" data-testid="docs-link">
                Which connector events are audited
              </a>
            </p>
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={isOpeningDemo}
                onClick={() => void exploreDemo()}
              >
                {isOpeningDemo ? 'Starting the demo tenant…' : 'Explore the demo tenant'}
              </button>
              <a className="button" href="#connections">
                Connect your tenant
              </a>
            </div>
          </section>
        )}
      </main>

      <footer className="status-bar">
        <span data-testid="transport">{TRANSPORT_LABEL[transport]}</span>
        <span data-testid="version">v{info.version}</span>
        {info.electronVersion && <span>Electron {info.electronVersion}</span>}
      </footer>
    </div>
  )
}
