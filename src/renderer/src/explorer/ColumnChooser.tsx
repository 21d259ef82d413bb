import { useState } from 'react'

import type { ExplorerColumn } from './explorer-columns'

export interface ColumnChooserProps {
  columns: readonly ExplorerColumn[]
  visible: ReadonlySet<string>
  /** Columns pinned to a side. */
  pinned: ReadonlyMap<string, 'left' | 'right'>
  onToggle(colId: string, isVisible: boolean): void
  onPin(colId: string, side: 'left' | 'right' | null): void
  onReset(): void
}

/** Shows, hides or pins any column, including every flattened field the cache has seen. */
export function ColumnChooser({
  columns,
  visible,
  pinned,
  onToggle,
  onPin,
  onReset
}: ColumnChooserProps): React.JSX.Element {
  const [isOpen, setIsOpen] = useState(false)
  const [filter, setFilter] = useState('')
  const needle = filter.trim().toLowerCase()
  const shown = columns.filter(
    (c) =>
      needle === '' ||
      c.headerName.toLowerCase().includes(needle) ||
      c.colId.toLowerCase().includes(needle)
  )
  return (
    <div className="column-chooser">
      <button type="button" aria-expanded={isOpen} onClick={() => setIsOpen(!isOpen)}>
        Columns ({visible.size})
      </button>
      {isOpen && (
        <div className="column-chooser-panel" role="dialog" aria-label="Choose columns">
          <div className="explorer-toolbar">
            <input
              aria-label="Find a column"
              placeholder="Find a column…"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <button type="button" onClick={onReset}>
              Reset layout
            </button>
            <button type="button" onClick={() => setIsOpen(false)}>
              Done
            </button>
          </div>
          {shown.slice(0, 500).map((column) => (
            <div key={column.colId} className="column-chooser-row">
              <label title={column.description}>
                <input
                  type="checkbox"
                  checked={visible.has(column.colId)}
                  onChange={(e) => onToggle(column.colId, e.target.checked)}
                />
                {column.headerName}
              </label>
              <select
                aria-label={`Pin ${column.headerName}`}
                value={pinned.get(column.colId) ?? ''}
                onChange={(e) =>
                  onPin(
                    column.colId,
                    e.target.value === '' ? null : (e.target.value as 'left' | 'right')
                  )
                }
              >
                <option value="">not pinned</option>
                <option value="left">pinned left</option>
                <option value="right">pinned right</option>
              </select>
            </div>
          ))}
          {shown.length > 500 && (
            <p className="muted">{shown.length - 500} more: refine the search.</p>
          )}
        </div>
      )}
    </div>
  )
}
