import { useState } from 'react'

import { ADX_DEFAULT_TABLE } from '../../../shared/adx/adx-table'
import { DestinationInput, type Destination } from '../../../shared/destinations'
import type { AppApi } from '../../../shared/ipc/contract'
import type { Profile } from '../../../shared/profiles'

export interface DestinationFormProps {
  api: AppApi
  profiles: Profile[]
  onSaved(destination: Destination): void
  onCancel(): void
}

/**
 * Adds a "Send to…" destination: an Azure Data Explorer table or a Log Analytics `_CL` table
 * behind a data collection rule, and the connection whose sign-in gets its token. Checked with
 * the contract's schema here; main refuses hosts that are not Microsoft's for the cloud.
 */
export function DestinationForm({
  api,
  profiles,
  onSaved,
  onCancel
}: DestinationFormProps): React.JSX.Element {
  const [kind, setKind] = useState<'adx' | 'loganalytics'>('adx')
  const [displayName, setDisplayName] = useState('')
  const [profileId, setProfileId] = useState(profiles[0]?.id ?? '')
  const [cluster, setCluster] = useState('')
  const [database, setDatabase] = useState('')
  const [table, setTable] = useState(ADX_DEFAULT_TABLE)
  const [endpoint, setEndpoint] = useState('')
  const [ruleId, setRuleId] = useState('')
  const [laTable, setLaTable] = useState('PowerPlatformAudit_CL')
  const [workspaceId, setWorkspaceId] = useState('')
  const [error, setError] = useState<string | null>(null)

  async function save(): Promise<void> {
    const parsed = DestinationInput.safeParse(
      kind === 'adx'
        ? { kind, displayName, profileId, adx: { cluster, database, table } }
        : {
            kind,
            displayName,
            profileId,
            loganalytics: { endpoint, ruleId, table: laTable, workspaceId }
          }
    )
    if (!parsed.success) {
      setError(
        parsed.error.issues.map((i) => `${i.path.slice(-1).join('')}: ${i.message}`).join('; ')
      )
      return
    }
    const saved = await api.destinations.save(parsed.data)
    if (!saved.ok) {
      setError(saved.error.message)
      return
    }
    setError(null)
    onSaved(saved.value)
  }

  const field = (
    label: string,
    value: string,
    set: (v: string) => void,
    placeholder = ''
  ): React.JSX.Element => (
    <label>
      {label}
      <input
        aria-label={label}
        value={value}
        placeholder={placeholder}
        onChange={(e) => set(e.target.value)}
      />
    </label>
  )

  return (
    <form
      className="destination-form"
      aria-label="New destination"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <label>
        Engine
        <select
          aria-label="Engine"
          value={kind}
          onChange={(e) => setKind(e.target.value as 'adx' | 'loganalytics')}
        >
          <option value="adx">Azure Data Explorer (or Fabric Eventhouse)</option>
          <option value="loganalytics">Log Analytics / Sentinel (data collection rule)</option>
        </select>
      </label>
      {field('Name', displayName, setDisplayName, 'Audit history cluster')}
      <label>
        Sign in with
        <select
          aria-label="Sign in with"
          value={profileId}
          onChange={(e) => setProfileId(e.target.value)}
        >
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.displayName}
            </option>
          ))}
        </select>
      </label>
      {kind === 'adx' ? (
        <>
          {field(
            'Cluster URL',
            cluster,
            setCluster,
            'https://mycluster.westeurope.kusto.windows.net'
          )}
          {field('Database', database, setDatabase)}
          {field('Table', table, setTable)}
        </>
      ) : (
        <>
          {field(
            'Logs ingestion endpoint',
            endpoint,
            setEndpoint,
            'https://my-dce.westeurope-1.ingest.monitor.azure.com'
          )}
          {field('Rule immutable ID', ruleId, setRuleId, 'dcr-…')}
          {field('Custom table', laTable, setLaTable)}
          {field('Workspace ID', workspaceId, setWorkspaceId)}
        </>
      )}
      {error && (
        <p className="search-error" role="alert">
          {error}
        </p>
      )}
      <div className="explorer-toolbar">
        <button type="submit">Save destination</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}
