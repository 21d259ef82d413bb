import { useState } from 'react'

import type { ErrorInfo } from '../../../shared/errors'
import type { AppApi } from '../../../shared/ipc/contract'

/** An error as the UI shows it (sync failures carry a plain string code). */
type Shown = Pick<ErrorInfo, 'message'> & { code: string }

interface Props {
  api: AppApi
  error: Shown
  /** Called once the action fixed the error (the owner may then drop the notice). */
  onResolved?: () => void
}

/**
 * An error message with the action that fixes it right there: a missing OS keychain offers
 * "Keep tokens in memory only" next to the message, wherever the error shows up.
 */
export function ErrorNotice({ api, error, onResolved }: Props): React.JSX.Element {
  const [resolved, setResolved] = useState<Shown | null>(null)
  const [failure, setFailure] = useState<{ from: Shown; error: ErrorInfo } | null>(null)
  const [isBusy, setIsBusy] = useState(false)

  async function keepInMemory(): Promise<void> {
    setIsBusy(true)
    const chosen = await api.auth.useMemoryStorage({})
    setIsBusy(false)
    if (chosen.ok) {
      setResolved(error)
      onResolved?.()
    } else {
      setFailure({ from: error, error: chosen.error })
    }
  }

  // A new error from outside replaces whatever the action left behind.
  if (resolved === error) {
    return (
      <p className="sync-result" role="status">
        Tokens are kept in memory only from now on: sign in again (Connections). After a restart you
        sign in again.
      </p>
    )
  }
  const current = failure?.from === error ? failure.error : error
  return (
    <div className="notice" role="alert" data-code={current.code}>
      {current.message}
      {current.code === 'auth/keychain-unavailable' && (
        <div className="actions">
          <button type="button" disabled={isBusy} onClick={() => void keepInMemory()}>
            Keep tokens in memory only
          </button>
        </div>
      )}
    </div>
  )
}
