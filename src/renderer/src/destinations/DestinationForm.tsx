import { useState } from 'react'

import type { Destination } from '../../../shared/destinations'
import type { AppApi } from '../../../shared/ipc/contract'
import type { Profile } from '../../../shared/profiles'

import { emptyFields, fieldsOf, inputOf, type DestinationFields } from './destination-fields'

export interface DestinationFormProps {
  api: AppApi
  profiles: Profile[]
  /** The saved destination to edit; without it, the form adds a new one. */
  editing?: Destination
  onSaved(destination: Destination): void
  onCancel(): void
}

/**
 * Adds or edits a "Send to…" destination: an Azure Data Explorer table or a Log Analytics `_CL`
 * table behind a data collection rule, and the connection whose sign-in gets its token. Checked
 * with the contract's schema here; main refuses hosts that are not Microsoft's for the cloud (so
 * the demo's destination, which main points at its emulator, keeps its target: only its name
 * can change).
 */
export function DestinationForm({
  api,
  profiles,
  editing,
  onSaved,
  onCancel
}: DestinationFormProps): React.JSX.Element {
  const [fields, setFields] = useState<DestinationFields>(() =>
    editing ? fieldsOf(editing) : emptyFields(profiles[0]?.id ?? '')
  )
  const [error, setError] = useState<string | null>(null)
  const { kind } = fields
  const setter =
    (key: keyof Omit<DestinationFields, 'kind'>) =>
    (value: string): void =>
      setFields((f) => ({ ...f, [key]: value }))

  async function save(): Promise<void> {
    const checked = inputOf(fields, editing?.id)
    if (!checked.ok) {
      setError(checked.error)
      return
    }
    const saved = await api.destinations.save(checked.input)
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
      aria-label={editing ? 'Edit destination' : 'New destination'}
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <label>
        Engine
        <select
          aria-label="Engine"
          aria-describedby={editing ? 'destination-engine-fixed' : undefined}
          value={kind}
          // A saved destination keeps its engine (main refuses a change too): its journals
          // belong to that engine's target. Another engine is a new destination.
          disabled={editing !== undefined}
          onChange={(e) =>
            setFields((f) => ({ ...f, kind: e.target.value as 'adx' | 'loganalytics' }))
          }
        >
          <option value="adx">Azure Data Explorer (or Fabric Eventhouse)</option>
          <option value="loganalytics">Log Analytics / Sentinel (data collection rule)</option>
        </select>
      </label>
      {editing && (
        <p className="muted" id="destination-engine-fixed">
          A saved destination keeps its engine; to send to another engine, add a new destination.
        </p>
      )}
      {field('Name', fields.displayName, setter('displayName'), 'Audit history cluster')}
      <label>
        Sign in with
        <select
          aria-label="Sign in with"
          value={fields.profileId}
          onChange={(e) => setter('profileId')(e.target.value)}
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
            fields.cluster,
            setter('cluster'),
            'https://mycluster.westeurope.kusto.windows.net'
          )}
          {field('Database', fields.database, setter('database'))}
          {field('Table', fields.table, setter('table'))}
        </>
      ) : (
        <>
          {field(
            'Logs ingestion endpoint',
            fields.endpoint,
            setter('endpoint'),
            'https://my-dce.westeurope-1.ingest.monitor.azure.com'
          )}
          {field('Rule immutable ID', fields.ruleId, setter('ruleId'), 'dcr-…')}
          {field('Custom table', fields.laTable, setter('laTable'))}
          {field('Workspace ID', fields.workspaceId, setter('workspaceId'))}
        </>
      )}
      {editing?.isDemo && (
        <p className="muted">
          The demo&apos;s destination points at the demo&apos;s emulator: its name can change, its
          target cannot.
        </p>
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
