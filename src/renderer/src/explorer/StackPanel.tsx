import { useEffect, useLayoutEffect, useRef, useState } from 'react'

import { EMPTY_VALUE, type StackSort } from '../../../shared/explorer'

import { DATE_BUCKETS, dateBucketColumn, type DateBucket } from './date-buckets'
import type { ExplorerColumn, TimeZoneMode } from './explorer-columns'
import type { QueryClient } from './query-client'
import { DATE_COLUMN, type ExplorerQuery, type StackAnswer } from './query-types'
import { entryFilter, type StackEntryFilter } from './stack-entry-filter'
import { stackSummary } from './stack-summary'

/** Entries the worker sends per page (the stack counts every value; the summary says how many). */
const STACK_LIMIT = 500

/**
 * Rows drawn beyond those in view, above and below: the table draws only the entries around the
 * scroll position (a page of 500 entries drawn whole costs ~100 ms of layout and paint per change).
 */
const OVERSCAN_ROWS = 12
/** Row height until the first drawn row is measured (px). */
const DEFAULT_ROW_PX = 26

/** The date choices of the column pickers ("the date by day"), as the panel names them. */
const DATE_CHOICE_PREFIX = `${DATE_COLUMN}:`
const DATE_CHOICE_NAMES: Record<DateBucket, string> = { day: 'Date by day', hour: 'Date by hour' }

/** The worker's column id of a picker choice: a date choice becomes the bucket in the zone shown. */
function stackColumnOf(choice: string, zone: TimeZoneMode): string {
  return choice.startsWith(DATE_CHOICE_PREFIX)
    ? dateBucketColumn(choice.slice(DATE_CHOICE_PREFIX.length) as DateBucket, zone)
    : choice
}

export interface StackPanelProps {
  clientRef: React.RefObject<QueryClient | null>
  query: ExplorerQuery
  dataVersion: number
  columns: readonly ExplorerColumn[]
  /** The zone the grid shows times in; date buckets are its days and hours. */
  timeZone: TimeZoneMode
  /** Filters the grid to one entry's values (EMPTY_VALUE = blank) and its day or hour. */
  onFilter(filter: StackEntryFilter): void
  onClose(): void
}

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 })

function SortHeader({
  label,
  by,
  sort,
  onSort,
  className
}: {
  label: string
  by: 'value' | 'count'
  sort: StackSort
  onSort(next: StackSort): void
  className?: string
}): React.JSX.Element {
  const isActive = sort.startsWith(by)
  const isDesc = sort.endsWith('desc')
  return (
    <th aria-sort={isActive ? (isDesc ? 'descending' : 'ascending') : 'none'} className={className}>
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
  timeZone,
  onFilter,
  onClose
}: StackPanelProps): React.JSX.Element {
  const choices = [
    ...DATE_BUCKETS.map((bucket) => ({
      colId: `${DATE_CHOICE_PREFIX}${bucket}`,
      headerName: DATE_CHOICE_NAMES[bucket]
    })),
    ...columns.filter((c) => c.colId !== DATE_COLUMN)
  ]
  const [first, setFirst] = useState('activity')
  const [second, setSecond] = useState('')
  const [sort, setSort] = useState<StackSort>('count-desc')
  const [find, setFind] = useState('')
  const [page, setPage] = useState({ question: '', offset: 0 })
  const [stack, setStack] = useState<StackAnswer | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [view, setView] = useState({ top: 0, height: 400 })
  const [rowPx, setRowPx] = useState(DEFAULT_ROW_PX)
  const scroller = useRef<HTMLDivElement>(null)
  const picked = second === '' || second === first ? [first] : [first, second]
  const stacked = picked.map((choice) => stackColumnOf(choice, timeZone))
  const stackedKey = stacked.join('\u0000')

  // A new question (another query, column, sort or find text) starts at the first page.
  const question = JSON.stringify([query, stackedKey, sort, find])
  const offset = page.question === question ? page.offset : 0
  const setOffset = (next: number): void => setPage({ question, offset: Math.max(0, next) })

  useEffect(() => {
    const worker = clientRef.current
    if (!worker) {
      return
    }
    let isActive = true
    const request = {
      type: 'stack' as const,
      query,
      columns: stackedKey.split('\u0000'),
      sort,
      limit: STACK_LIMIT,
      offset,
      find
    }
    worker.request(request).then(
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
  }, [clientRef, query, dataVersion, stackedKey, sort, offset, find])

  // A new answer starts at its top; the rows drawn follow the scroll position and the box's size.
  useLayoutEffect(() => {
    const box = scroller.current
    if (box && box.scrollTop !== 0) {
      box.scrollTop = 0
      setView((v) => ({ ...v, top: 0 }))
    }
  }, [stack])
  useEffect(() => {
    const box = scroller.current
    if (!box) {
      return
    }
    const observer = new ResizeObserver(() =>
      setView((v) => (v.height === box.clientHeight ? v : { ...v, height: box.clientHeight }))
    )
    observer.observe(box)
    return () => observer.disconnect()
  }, [])
  // The row height, measured once a row is drawn (it follows the font size).
  const isMeasured = useRef(false)
  useLayoutEffect(() => {
    if (isMeasured.current) {
      return
    }
    const row = scroller.current?.querySelector<HTMLElement>('tbody tr[data-testid="stack-entry"]')
    const height = row?.getBoundingClientRect().height ?? 0
    if (height > 0) {
      isMeasured.current = true
      setRowPx(height)
    }
  }, [stack])
  const entries = stack?.entries ?? []
  const firstDrawn = Math.max(0, Math.floor(view.top / rowPx) - OVERSCAN_ROWS)
  const lastDrawn = Math.min(
    entries.length,
    Math.ceil((view.top + view.height) / rowPx) + OVERSCAN_ROWS
  )

  const header = (choice: string): string =>
    choices.find((c) => c.colId === choice)?.headerName ?? choice
  const hasPrevious = stack !== null && stack.offset > 0
  const hasNext = stack !== null && stack.offset + stack.entries.length < stack.matching
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
        <input
          type="search"
          aria-label="Find in stack"
          placeholder="Find in stack"
          value={find}
          onChange={(e) => setFind(e.target.value)}
        />
        <span className="muted" data-testid="stack-summary" role="status">
          {stack ? stackSummary(stack, find, sort) : 'Counting…'}
        </span>
        {(hasPrevious || hasNext) && (
          <span className="stack-pages">
            <button
              type="button"
              disabled={!hasPrevious}
              onClick={() => setOffset(offset - STACK_LIMIT)}
            >
              Previous {STACK_LIMIT}
            </button>
            <button
              type="button"
              disabled={!hasNext}
              onClick={() => setOffset(offset + STACK_LIMIT)}
            >
              Next {STACK_LIMIT}
            </button>
          </span>
        )}
        <button type="button" onClick={onClose}>
          Close stack
        </button>
      </div>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      <div
        className="stack-table"
        ref={scroller}
        onScroll={(e) =>
          setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })
        }
      >
        <table>
          <thead>
            <tr>
              {picked.map((colId, i) =>
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
              <SortHeader
                label="Count"
                by="count"
                sort={sort}
                onSort={setSort}
                className="number-column"
              />
              <th className="number-column">Share</th>
            </tr>
          </thead>
          <tbody>
            {firstDrawn > 0 && (
              <tr aria-hidden="true" className="stack-spacer">
                <td colSpan={picked.length + 2} style={{ height: firstDrawn * rowPx }} />
              </tr>
            )}
            {entries.slice(firstDrawn, lastDrawn).map((entry) => (
              <tr
                key={entry.values.join('\u0000')}
                data-testid="stack-entry"
                tabIndex={0}
                title="Show only these rows"
                onClick={() => onFilter(entryFilter(stacked, entry.values))}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    onFilter(entryFilter(stacked, entry.values))
                  }
                }}
              >
                {entry.values.map((value, i) => (
                  <td key={i} className={value === EMPTY_VALUE ? 'muted' : undefined} title={value}>
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
            {lastDrawn < entries.length && (
              <tr aria-hidden="true" className="stack-spacer">
                <td
                  colSpan={picked.length + 2}
                  style={{ height: (entries.length - lastDrawn) * rowPx }}
                />
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  )
}
