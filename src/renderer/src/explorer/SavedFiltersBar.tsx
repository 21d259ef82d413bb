import { useCallback, useEffect, useState } from 'react'

import type { AppDb, SavedFilterRow } from '../db/app-db'

import { blobSink } from './export-runner'
import {
  PICKER_VIEWS,
  SavedFilterSpecSchema,
  exportSavedFilters,
  importSavedFilters,
  type SavedFilterSpec
} from './saved-filters'

export interface SavedFiltersBarProps {
  db: AppDb
  /** What the Explorer shows now, as a spec to save. */
  currentSpec(): SavedFilterSpec
  onApply(spec: SavedFilterSpec): void
}

function errorText(error: unknown): string {
  if (error instanceof Error && error.name === 'ConstraintError') {
    return 'A saved filter with that name already exists.'
  }
  return error instanceof Error ? error.message : String(error)
}

/** Create, update, rename, delete, apply, export and import saved filters; built-in views. */
export function SavedFiltersBar({
  db,
  currentSpec,
  onApply
}: SavedFiltersBarProps): React.JSX.Element {
  const [saved, setSaved] = useState<SavedFilterRow[]>([])
  const [choice, setChoice] = useState('')
  const [name, setName] = useState('')
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null)

  const reload = useCallback(async (): Promise<SavedFilterRow[]> => {
    const rows = await db.listSavedFilters()
    setSaved(rows)
    return rows
  }, [db])

  useEffect(() => {
    let isActive = true
    void db.listSavedFilters().then((rows) => isActive && setSaved(rows))
    return () => {
      isActive = false
    }
  }, [db])

  const selected = choice.startsWith('saved:')
    ? saved.find((row) => row.id === choice.slice('saved:'.length))
    : undefined

  async function act(work: () => Promise<string>): Promise<void> {
    try {
      setMessage({ text: await work(), isError: false })
    } catch (error) {
      setMessage({ text: errorText(error), isError: true })
    }
  }

  function apply(value: string): void {
    setChoice(value)
    if (value.startsWith('builtin:')) {
      const view = PICKER_VIEWS.find((v) => `builtin:${v.id}` === value)
      if (view) {
        onApply(view.spec)
        setMessage({
          text:
            view.operations.length > 0
              ? `${view.name}: operations ${view.operations.join(', ')}.`
              : `${view.name}: ${view.description}`,
          isError: false
        })
      }
      return
    }
    const row = saved.find((r) => `saved:${r.id}` === value)
    if (row) {
      const parsed = SavedFilterSpecSchema.safeParse(row.spec)
      if (parsed.success) {
        onApply(parsed.data)
        setName(row.name)
        setMessage(null)
      } else {
        setMessage({ text: `"${row.name}" could not be read.`, isError: true })
      }
    }
  }

  async function importFile(file: File): Promise<void> {
    const result = importSavedFilters(await file.text())
    if (!result.ok) {
      setMessage({ text: result.error, isError: true })
      return
    }
    const existing = new Set((await db.listSavedFilters()).map((row) => row.name))
    let added = 0
    for (const filter of result.filters) {
      let candidate = filter.name
      for (let n = 2; existing.has(candidate); n++) {
        candidate = `${filter.name} (${n})`
      }
      existing.add(candidate)
      await db.createSavedFilter(candidate, filter.spec)
      added++
    }
    await reload()
    setMessage({ text: `Imported ${added} saved filter${added === 1 ? '' : 's'}.`, isError: false })
  }

  return (
    <div className="explorer-toolbar" role="group" aria-label="Saved filters">
      <label>
        Saved filter
        <select aria-label="Saved filter" value={choice} onChange={(e) => apply(e.target.value)}>
          <option value="">— choose —</option>
          <optgroup label="Views">
            {PICKER_VIEWS.map((view) => (
              <option key={view.id} value={`builtin:${view.id}`}>
                {view.name}
              </option>
            ))}
          </optgroup>
          {saved.length > 0 && (
            <optgroup label="Saved">
              {saved.map((row) => (
                <option key={row.id} value={`saved:${row.id}`}>
                  {row.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <input
        aria-label="Filter name"
        placeholder="Filter name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <button
        type="button"
        disabled={name.trim() === ''}
        onClick={() =>
          void act(async () => {
            const row = await db.createSavedFilter(name, currentSpec())
            await reload()
            setChoice(`saved:${row.id}`)
            return `Saved "${row.name}".`
          })
        }
      >
        Save as new
      </button>
      <button
        type="button"
        disabled={!selected}
        onClick={() =>
          void act(async () => {
            await db.updateSavedFilter(selected!.id, currentSpec())
            await reload()
            return `Updated "${selected!.name}".`
          })
        }
      >
        Update
      </button>
      <button
        type="button"
        disabled={!selected || name.trim() === ''}
        onClick={() =>
          void act(async () => {
            await db.renameSavedFilter(selected!.id, name)
            await reload()
            return `Renamed to "${name.trim()}".`
          })
        }
      >
        Rename
      </button>
      <button
        type="button"
        className="danger"
        disabled={!selected}
        onClick={() =>
          void act(async () => {
            await db.deleteSavedFilter(selected!.id)
            await reload()
            setChoice('')
            return `Deleted "${selected!.name}".`
          })
        }
      >
        Delete
      </button>
      <button
        type="button"
        disabled={saved.length === 0}
        onClick={() =>
          void act(async () => {
            const rows = await reload()
            const text = exportSavedFilters(
              rows.flatMap((row) => {
                const parsed = SavedFilterSpecSchema.safeParse(row.spec)
                return parsed.success ? [{ name: row.name, spec: parsed.data }] : []
              })
            )
            const sink = blobSink('saved-filters.json', 'application/json')
            await sink.write(text)
            await sink.close()
            return `Exported ${rows.length} saved filter${rows.length === 1 ? '' : 's'}.`
          })
        }
      >
        Export filters
      </button>
      <label className="button">
        Import filters
        <input
          type="file"
          accept=".json,application/json"
          aria-label="Import saved filters"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0]
            e.target.value = ''
            if (file) {
              importFile(file).catch((error: unknown) =>
                setMessage({ text: errorText(error), isError: true })
              )
            }
          }}
        />
      </label>
      {message && message.text !== '' && (
        <span
          className={message.isError ? 'notice' : 'muted'}
          role={message.isError ? 'alert' : 'status'}
        >
          {message.text}
        </span>
      )}
    </div>
  )
}
