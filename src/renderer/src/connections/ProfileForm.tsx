import { useState } from 'react'

import { ADX_DEFAULT_TABLE } from '../../../shared/adx/adx-table'
import { CLOUDS } from '../../../shared/clouds'
import type { AppApi } from '../../../shared/ipc/contract'
import {
  CLOUD_IDS,
  DEFAULT_WORKSPACE_TABLES,
  ProfileInput,
  type Profile
} from '../../../shared/profiles'

interface Props {
  api: AppApi
  profile?: Profile
  onDone: () => void
}

type Fields = {
  kind: 'tenant' | 'workspace' | 'adx'
  workspaceId: string
  cluster: string
  database: string
  table: string
  tables: string
  displayName: string
  tenant: string
  clientId: string
  cloud: Profile['cloud']
  signInMode: Profile['signInMode']
  publisherIdentifier: string
}

/** Creates or edits a connection profile; the contract's schema validates it on both sides. */
export function ProfileForm({ api, profile, onDone }: Props): React.JSX.Element {
  const [fields, setFields] = useState<Fields>({
    kind: profile?.kind ?? 'tenant',
    workspaceId: profile?.workspace?.workspaceId ?? '',
    cluster: profile?.adx?.cluster ?? '',
    database: profile?.adx?.database ?? '',
    table: profile?.adx?.table ?? ADX_DEFAULT_TABLE,
    tables: (profile?.workspace?.tables ?? DEFAULT_WORKSPACE_TABLES).join(', '),
    displayName: profile?.displayName ?? '',
    tenant: profile?.tenant ?? '',
    clientId: profile?.clientId ?? '',
    cloud: profile?.cloud ?? 'commercial',
    signInMode: profile?.signInMode ?? 'interactive',
    publisherIdentifier: profile?.publisherIdentifier ?? ''
  })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [isSaving, setIsSaving] = useState(false)

  const set = <K extends keyof Fields>(key: K, value: Fields[K]): void =>
    setFields((current) => ({ ...current, [key]: value }))

  async function submit(event: React.FormEvent): Promise<void> {
    event.preventDefault()
    const candidate = {
      ...(profile ? { id: profile.id } : {}),
      ...(fields.kind === 'workspace'
        ? {
            kind: 'workspace',
            workspace: {
              workspaceId: fields.workspaceId,
              tables: fields.tables
                .split(',')
                .map((t) => t.trim())
                .filter((t) => t !== '')
            }
          }
        : fields.kind === 'adx'
          ? {
              kind: 'adx',
              adx: { cluster: fields.cluster, database: fields.database, table: fields.table }
            }
          : {}),
      displayName: fields.displayName,
      tenant: fields.tenant,
      clientId: fields.clientId,
      cloud: fields.cloud,
      signInMode: fields.signInMode,
      ...(fields.publisherIdentifier.trim()
        ? { publisherIdentifier: fields.publisherIdentifier }
        : {})
    }
    const parsed = ProfileInput.safeParse(candidate)
    if (!parsed.success) {
      setErrors(
        Object.fromEntries(
          parsed.error.issues.map((i) => [
            // Workspace issues are shown under the field they came from.
            i.path[0] === 'workspace'
              ? i.path[1] === 'tables'
                ? 'tables'
                : 'workspaceId'
              : i.path[0] === 'adx'
                ? String(i.path[1] ?? 'cluster')
                : String(i.path[0] ?? 'form'),
            i.message
          ])
        )
      )
      return
    }
    setIsSaving(true)
    const result = await api.profiles.save(parsed.data)
    setIsSaving(false)
    if (!result.ok) {
      setErrors({ form: result.error.message })
      return
    }
    onDone()
  }

  const field = (key: keyof Fields, label: string, hint: string): React.JSX.Element => (
    <label className="field">
      <span>{label}</span>
      <input
        name={key}
        value={String(fields[key])}
        onChange={(e) => set(key, e.target.value as never)}
        aria-invalid={errors[key] ? true : undefined}
        placeholder={hint}
      />
      {errors[key] && <span className="field-error">{errors[key]}</span>}
    </label>
  )

  return (
    <form className="profile-form" onSubmit={(e) => void submit(e)} aria-label="Connection">
      <label className="field">
        <span>Reads</span>
        <select
          name="kind"
          value={fields.kind}
          onChange={(e) => set('kind', e.target.value as Fields['kind'])}
        >
          <option value="tenant">The tenant&apos;s audit log (Management Activity API)</option>
          <option value="workspace">A Log Analytics / Sentinel workspace</option>
          <option value="adx">An Azure Data Explorer table</option>
        </select>
      </label>
      {field('displayName', 'Name', 'Contoso production')}
      {field('tenant', 'Tenant ID or domain', 'contoso.onmicrosoft.com')}
      {field('clientId', 'Application (client) ID', '00000000-0000-0000-0000-000000000000')}
      <label className="field">
        <span>Cloud</span>
        <select
          name="cloud"
          value={fields.cloud}
          onChange={(e) => set('cloud', e.target.value as Fields['cloud'])}
        >
          {CLOUD_IDS.map((id) => (
            <option key={id} value={id}>
              {CLOUDS[id].label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Sign-in</span>
        <select
          name="signInMode"
          value={fields.signInMode}
          onChange={(e) => set('signInMode', e.target.value as Fields['signInMode'])}
        >
          <option value="interactive">In the browser</option>
          <option value="device-code">With a code on another device</option>
        </select>
      </label>
      {fields.kind === 'workspace' && (
        <>
          {field('workspaceId', 'Workspace ID', '00000000-0000-0000-0000-000000000000')}
          {field('tables', 'Tables to read', DEFAULT_WORKSPACE_TABLES.join(', '))}
        </>
      )}
      {fields.kind === 'adx' && (
        <>
          {field('cluster', 'Cluster URL', 'https://mycluster.westeurope.kusto.windows.net')}
          {field('database', 'Database', 'AuditHistory')}
          {field('table', 'Table', ADX_DEFAULT_TABLE)}
        </>
      )}
      {fields.kind === 'tenant' &&
        field('publisherIdentifier', 'PublisherIdentifier (optional)', 'defaults to the tenant ID')}
      {errors['form'] && (
        <div className="notice" role="alert">
          {errors['form']}
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={isSaving}>
          {profile ? 'Save' : 'Add connection'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}
