import { useEffect, useState } from 'react'

import { EMPTY_VALUE, type StackSort } from '../../../shared/explorer'

import type { ExplorerColumn } from './explorer-columns'
import type { QueryClient } from './query-client'
import { DATE_COLUMN, type ExplorerQuery, type StackAnswer } from './query-types'

/** Entries the worker sends at most (the stack counts every value; the list shows the first). */
const STACK_LIMIT = 500

export interface StackPanelProps {
  clientRef: React.RefObject<QueryClient | null>
  query: ExplorerQuery
  dataVersion: number
  columns: readonly ExplorerColumn[]
  /** Filters the grid to one entry's values (one per stacked column; EMPTY_VALUE = blank). */
  onFilter(filters: { colId: string; value: string }[]): void
  onClose(): void
}

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 })

function SortHeader({
  label,
  by,
  sort,
  onSort
}: {
  label: string
  by: 'value' | 'count'
  sort: StackSort
  onSort(next: StackSort): void
}): React.JSX.Element {
  const isActive = sort.startsWith(by)
  const isDesc = sort.endsWith('desc')
  return (
    <th aria-sort={isActive ? (isDesc ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        className="link-button"
        onClick={() =>
          onSort(
            isActive
              ? (`${by}-${isDesc ? 'asc' : 'desc'}` as StackSort)
              : `${by}-${by === 'count' ? 'desc' : 'asc'}`
          )
        }
      >
        {label}
        {isActive ? (isDesc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  )
}

/**
 * Stacking: how many of the rows shown hold each value of one column, or each pair of values of
 * two, with each count's share; sortable by value or count; a click filters the grid to a value.
 * Counted by the query worker over every row the query keeps.
 */
export function StackPanel({
  clientRef,
  query,
  dataVersion,
  columns,
  onFilter,
  onClose
}: StackPanelProps): React.JSX.Element {
  const choices = columns.filter((c) => c.colId !== DATE_COLUMN)
  const [first, setFirst] = useState('activity')
  const [second, setSecond] = useState('')
  const [sort, setSort] = useState<StackSort>('count-desc')
  const [stack, setStack] = useState<StackAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const worker = clientRef.current
    if (!worker) {
      return
    }
    let isActive = true
    const stacked = second === '' || second === first ? [first] : [first, second]
    worker.request({ type: 'stack', query, columns: stacked, sort, limit: STACK_LIMIT }).then(
      (answer) => {
        if (isActive) {
          setStack(answer)
          setError(null)
        }
      },
      (reason: unknown) =>
        isActive && setError(reason instanceof Error ? reason.message : String(reason))
    )
    return () => {
      isActive = false
    }
  }, [clientRef, query, dataVersion, first, second, sort])

  const stacked = second === '' || second === first ? [first] : [first, second]
  const header = (colId: string): string =>
    choices.find((c) => c.colId === colId)?.headerName ?? colId
  return (
    <section className="stack-panel" aria-label="Stack">
      <div className="explorer-toolbar">
        <label>
          Stack by
          <select aria-label="Stack by" value={first} onChange={(e) => setFirst(e.target.value)}>
            {choices.map((c) => (
              <option key={c.colId} value={c.colId}>
                {c.headerName}
              </option>
            ))}
          </select>
        </label>
        <label>
          then by
          <select aria-label="Then by" value={second} onChange={(e) => setSecond(e.target.value)}>
            <option value="">(nothing)</option>
            {choices.map((c) => (
              <option key={c.colId} value={c.colId}>
                {c.headerName}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" data-testid="stack-summary">
          {stack
            ? `${stack.distinct.toLocaleString()} distinct in ${stack.total.toLocaleString()} rows` +
              (stack.isTruncated ? ` · first ${STACK_LIMIT.toLocaleString()} listed` : '')
            : 'Counting…'}
        </span>
        <button type="button" onClick={onClose}>
          Close stack
        </button>
      </div>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      <div className="stack-table">
        <table>
          <thead>
            <tr>
              {stacked.map((colId, i) =>
                i === 0 ? (
                  <SortHeader
                    key={colId}
                    label={header(colId)}
                    by="value"
                    sort={sort}
                    onSort={setSort}
                  />
                ) : (
                  <th key={colId}>{header(colId)}</th>
                )
              )}
              <SortHeader label="Count" by="count" sort={sort} onSort={setSort} />
              <th>Share</th>
            </tr>
          </thead>
          <tbody>
            {stack?.entries.map((entry) => (
              <tr
                key={entry.values.join('\u0000')}
                data-testid="stack-entry"
                tabIndex={0}
                title="Show only these rows"
                onClick={() =>
                  onFilter(
                    stacked.map((colId, i) => ({ colId, value: entry.values[i] ?? EMPTY_VALUE }))
                  )
                }
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    onFilter(
                      stacked.map((colId, i) => ({ colId, value: entry.values[i] ?? EMPTY_VALUE }))
                    )
                  }
                }}
              >
                {entry.values.map((value, i) => (
                  <td key={i} className={value === EMPTY_VALUE ? 'muted' : undefined}>
                    {value}
                  </td>
                ))}
                <td className="number">{entry.count.toLocaleString()}</td>
                <td className="number">
                  <span
                    className="share-bar"
                    style={{ width: `${Math.round(entry.share * 100)}%` }}
                  />
                  {percent.format(entry.share)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
