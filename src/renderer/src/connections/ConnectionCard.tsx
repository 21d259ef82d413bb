import { useState } from 'react'

import { CLOUDS } from '../../../shared/clouds'
import type { ErrorInfo } from '../../../shared/errors'
import type { AppApi } from '../../../shared/ipc/contract'
import type {
  AuthState,
  ConnectionCheck,
  DeviceCodePrompt,
  Profile
} from '../../../shared/profiles'

import { ErrorNotice } from './ErrorNotice'

interface Props {
  api: AppApi
  profile: Profile
  state: AuthState | undefined
  deviceCode: DeviceCodePrompt | undefined
  onEdit: () => void
}

/** One connection: its sign-in state and the actions on it. */
export function ConnectionCard({
  api,
  profile,
  state,
  deviceCode,
  onEdit
}: Props): React.JSX.Element {
  const [check, setCheck] = useState<ConnectionCheck | null>(null)
  const [isChecking, setIsChecking] = useState(false)
  const [actionError, setActionError] = useState<ErrorInfo | null>(null)
  const status = state?.status ?? 'signed-out'
  const error = actionError ?? (state?.error as ErrorInfo | null | undefined) ?? null

  async function run(action: () => Promise<{ ok: boolean; error?: ErrorInfo }>): Promise<void> {
    setActionError(null)
    const result = await action()
    if (!result.ok && result.error && result.error.code !== 'auth/cancelled') {
      setActionError(result.error)
    }
  }

  async function testConnection(): Promise<void> {
    setIsChecking(true)
    setCheck(null)
    const result = await api.auth.testConnection({ profileId: profile.id })
    setIsChecking(false)
    if (result.ok) {
      setCheck(result.value)
    } else {
      setActionError(result.error)
    }
  }

  return (
    <article className="connection" aria-label={profile.displayName} data-status={status}>
      <header className="connection-header">
        <div>
          <h2>{profile.displayName}</h2>
          <p className="muted">
            {profile.isDemo
              ? profile.kind === 'workspace'
                ? 'Local demo workspace'
                : profile.kind === 'adx'
                  ? 'Local demo Azure Data Explorer cluster'
                  : 'Local demo tenant'
              : `${CLOUDS[profile.cloud].label} · ${profile.tenant}`}
          </p>
          {profile.kind === 'adx' && profile.adx && (
            <p className="muted" data-testid="adx">
              {profile.adx.cluster} · {profile.adx.database}.{profile.adx.table}
            </p>
          )}
          {profile.kind === 'workspace' && profile.workspace && (
            <p className="muted" data-testid="workspace">
              Workspace {profile.workspace.workspaceId} · {profile.workspace.tables.join(', ')}
            </p>
          )}
        </div>
        <span className={`badge badge-${status}`} data-testid="auth-status">
          {status === 'signed-in'
            ? `Signed in as ${state?.account?.username ?? ''}`
            : status === 'signing-in'
              ? 'Signing in…'
              : 'Signed out'}
        </span>
      </header>

      {state?.tokenStorage === 'memory' && (
        <p className="muted">
          Tokens are kept in memory only: you will sign in again after a restart.
        </p>
      )}

      {deviceCode && status === 'signing-in' && (
        <div className="device-code" role="status">
          <p>
            On any device, open{' '}
            <a href={deviceCode.verificationUri} target="_blank" rel="noreferrer noopener">
              {deviceCode.verificationUri}
            </a>{' '}
            and enter the code
          </p>
          <p className="device-code-value" data-testid="device-code">
            {deviceCode.userCode}
          </p>
        </div>
      )}

      {error && (
        // Once tokens are kept in memory the card says so itself, next to the Sign in button.
        <ErrorNotice api={api} error={error} onResolved={() => setActionError(null)} />
      )}

      <div className="actions">
        {status === 'signing-in' ? (
          <button
            type="button"
            onClick={() => void run(() => api.auth.cancelSignIn({ profileId: profile.id }))}
          >
            Cancel sign-in
          </button>
        ) : status === 'signed-in' ? (
          <button
            type="button"
            onClick={() => void run(() => api.auth.signOut({ profileId: profile.id }))}
          >
            Sign out
          </button>
        ) : (
          <>
            <button
              type="button"
              className="primary"
              onClick={() => void run(() => api.auth.signIn({ profileId: profile.id }))}
            >
              Sign in
            </button>
            {!profile.isDemo && (
              <button
                type="button"
                onClick={() =>
                  void run(() => api.auth.signIn({ profileId: profile.id, mode: 'device-code' }))
                }
              >
                Sign in with a code
              </button>
            )}
          </>
        )}
        <button type="button" onClick={() => void testConnection()} disabled={isChecking}>
          {isChecking ? 'Testing…' : 'Test connection'}
        </button>
        {!profile.isDemo && (
          <button type="button" onClick={onEdit}>
            Edit
          </button>
        )}
        <button
          type="button"
          className="danger"
          onClick={() => void run(() => api.profiles.delete({ profileId: profile.id }))}
        >
          Remove
        </button>
      </div>

      {check && (
        <ol className="checks" aria-label="Connection test">
          {check.steps.map((step) => (
            <li key={step.name} className={step.ok ? 'check-ok' : 'check-failed'}>
              <span aria-hidden="true">{step.ok ? '✓' : '✗'}</span> <b>{step.name}</b>:{' '}
              {step.detail}
              {step.fix && <div className="check-fix">{step.fix}</div>}
            </li>
          ))}
        </ol>
      )}
    </article>
  )
}
