import { useState } from 'react'

import type { ErrorInfo } from '../../../shared/errors'
import type { AppApi, Shell, UpdatesPreference } from '../../../shared/ipc/contract'

interface Props {
  api: AppApi
  /** The current `settings.updates` (the parent keeps it fresh from `settings:did-change`). */
  value: UpdatesPreference
  /** Updates apply to the installed desktop app only. */
  shell: Shell
}

/**
 * Settings → Updates: one switch for automatic update checks (src/main/services/desktop/updates.ts
 * decides; development builds and machines where an administrator disabled updates never check).
 */
export function UpdatesSetting({ api, value, shell }: Props): React.JSX.Element {
  const [error, setError] = useState<ErrorInfo | null>(null)
  const [isSaving, setIsSaving] = useState(false)

  async function choose(updates: UpdatesPreference): Promise<void> {
    setIsSaving(true)
    const result = await api.settings.update({ updates })
    setIsSaving(false)
    setError(result.ok ? null : result.error)
  }

  return (
    <section className="settings-section" aria-labelledby="settings-updates-title">
      <h2 id="settings-updates-title">Updates</h2>
      <label className="settings-row">
        <input
          type="checkbox"
          checked={value === 'automatic'}
          disabled={isSaving || shell !== 'desktop'}
          onChange={(e) => void choose(e.target.checked ? 'automatic' : 'off')}
          data-testid="updates-automatic"
        />
        Check for updates automatically and install them when the app quits
      </label>
      <p className="muted">
        {shell === 'desktop'
          ? 'Your organisation can turn updates off for every user of this computer; then this ' +
            'switch has no effect. Development builds never check.'
          : 'The browser shell runs from your installed copy and is updated with it.'}
      </p>
      {error && (
        <p className="notice" role="alert">
          {error.message}
        </p>
      )}
    </section>
  )
}
