import { useState } from 'react'

import type { AppApi } from '../../../shared/ipc/contract'

import { ConnectionCard } from './ConnectionCard'
import { ProfileForm } from './ProfileForm'
import { SetupGuide } from './SetupGuide'
import type { Connections } from './use-connections'

interface Props {
  api: AppApi
  connections: Connections
}

/** Connections: tenants and app registrations, sign-in, device codes, connection tests. */
export function ConnectionsView({ api, connections }: Props): React.JSX.Element {
  const [editing, setEditing] = useState<string | 'new' | null>(null)
  const { profiles, states, deviceCodes, loadError } = connections

  return (
    <section className="connections" aria-labelledby="connections-title">
      <div className="view-header">
        <h1 id="connections-title">Connections</h1>
        {editing === null && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            Add connection
          </button>
        )}
      </div>
      {loadError && (
        <div className="notice" role="alert">
          {loadError}
        </div>
      )}
      {editing === 'new' && <ProfileForm api={api} onDone={() => setEditing(null)} />}
      {profiles.length === 0 && editing === null && (
        <p className="muted">
          No connections yet. Add one for your tenant, or explore the demo tenant.
        </p>
      )}
      {profiles.map((profile) =>
        editing === profile.id ? (
          <ProfileForm
            key={profile.id}
            api={api}
            profile={profile}
            onDone={() => setEditing(null)}
          />
        ) : (
          <ConnectionCard
            key={profile.id}
            api={api}
            profile={profile}
            state={states.get(profile.id)}
            deviceCode={deviceCodes.get(profile.id)}
            onEdit={() => setEditing(profile.id)}
          />
        )
      )}
      <SetupGuide isOpen={profiles.length === 0} />
    </section>
  )
}
