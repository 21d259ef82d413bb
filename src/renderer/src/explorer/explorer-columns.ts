/**
 * The Explorer grid's columns as plain, tested data (STYLE.md rule 18): value getters and
 * formatters are functions, never string expressions (those need unsafe-eval, which the CSP forbids).
 * The same definitions drive exports, so a file holds exactly what the grid shows.
 */
import type { ColDef, ValueFormatterParams, ValueGetterParams } from 'ag-grid-community'

// The module itself, not the audit barrel: the barrel's record schemas would put zod in the
// query worker's bundle (160 KB it would parse and evaluate before reading the first chunk).
import { describeField } from '../../../shared/audit/field-descriptions'

import { HeaderLabel, type HeaderLabelParams } from './header-label'
import { itemOf } from './item-of'
import { DATE_COLUMN, FIELD_PREFIX, TAGS_COLUMN, fieldColumnId, type GridRow } from './query-types'

export type TimeZoneMode = 'utc' | 'local'

/** One column of the Explorer, independent of ag-grid. */
export interface ExplorerColumn {
  colId: string
  headerName: string
  /** A plain-language description, shown when the pointer rests on the header. */
  description: string
  /** Shown before the user changes the layout. */
  isDefaultVisible: boolean
  width: number
  /** The cell's text as the grid shows it and exports write it. */
  text(row: GridRow, timeZone: TimeZoneMode): string
  /** False where the per-column filter makes no sense (the date has the range picker). */
  isFilterable: boolean
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** `+01:00`-style offset of the local zone at an instant. */
export function utcOffset(at: Date = new Date()): string {
  const minutes = -at.getTimezoneOffset()
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** The Date column's header, which always names the zone. */
export function dateHeader(timeZone: TimeZoneMode, at: Date = new Date()): string {
  return timeZone === 'utc' ? 'Date (UTC)' : `Date (local, UTC${utcOffset(at)})`
}

/** `YYYY-MM-DD HH:MM:SS` in UTC or in the local zone (DST-aware per instant). */
export function formatTime(ms: number, timeZone: TimeZoneMode): string {
  if (!Number.isFinite(ms)) {
    return ''
  }
  const d = new Date(ms)
  if (timeZone === 'utc') {
    return d.toISOString().slice(0, 19).replace('T', ' ')
  }
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

function core(
  colId: string,
  headerName: string,
  description: string,
  text: (row: GridRow) => string,
  isDefaultVisible: boolean,
  width = 160
): ExplorerColumn {
  return {
    colId,
    headerName,
    description,
    isDefaultVisible,
    width,
    text: (row) => text(row),
    isFilterable: true
  }
}

/** The built-in columns, in their default order. */
export const CORE_COLUMNS: readonly ExplorerColumn[] = [
  {
    colId: DATE_COLUMN,
    headerName: 'Date',
    description: 'When the event happened.',
    isDefaultVisible: true,
    width: 180,
    text: (row, timeZone) => formatTime(row.createdAtMs, timeZone),
    isFilterable: false
  },
  core('clientIp', 'IP address', "The client's IP address.", (r) => r.clientIp, true, 130),
  core('userId', 'User', "The acting user's e-mail address.", (r) => r.userId, true, 200),
  core('activity', 'Activity', 'The friendly name of the event.', (r) => r.activity, true, 230),
  core('item', 'Item', 'The unique ID of the resource acted on.', itemOf, true, 220),
  core(
    'environment',
    'Environment',
    'The Power Platform environment.',
    (r) => r.environment,
    false
  ),
  core('action', 'Action', 'The API action that caused the event.', (r) => r.action, false),
  core('resource', 'Resource', 'The custom API, connection or gateway.', (r) => r.resource, false),
  core(
    'userTypeLabel',
    'User type',
    'The kind of actor (admin, system…).',
    (r) => r.userTypeLabel,
    false,
    130
  ),
  core('operation', 'Operation', 'The raw operation name.', (r) => r.operation, false),
  core(
    'recordTypeName',
    'Record type',
    'The kind of audit record.',
    (r) => r.recordTypeName,
    false
  ),
  core('workload', 'Workload', 'The service that logged the event.', (r) => r.workload, false, 130),
  core('id', 'Id', "The record's unique ID.", (r) => r.id, false, 280),
  core(
    'organizationId',
    'Organization Id',
    "The tenant's unique ID.",
    (r) => r.organizationId,
    false,
    280
  ),
  core('objectId', 'Object Id', 'The unique ID of the object.', (r) => r.objectId, false, 220),
  core('category', 'Category', 'The activity group.', (r) => r.category, false, 130),
  core('connector', 'Connector', 'The connector involved.', (r) => r.connector, false),
  core(
    'resultStatus',
    'Result',
    'Whether the operation succeeded.',
    (r) => r.resultStatus,
    false,
    110
  ),
  core(TAGS_COLUMN, 'Tags', 'Your tags on this record.', (r) => r.tags.join(', '), false, 140)
]

/** A column for one discovered flattened field (hidden until chosen). */
export function fieldColumn(key: string): ExplorerColumn {
  const described = describeField(key)
  return {
    colId: fieldColumnId(key),
    headerName: key,
    description: described.description,
    isDefaultVisible: false,
    width: 180,
    text: (row) => row.fields[key] ?? '',
    isFilterable: true
  }
}

/** Core columns followed by one column per discovered field key. */
export function explorerColumns(fieldKeys: readonly string[]): ExplorerColumn[] {
  return [...CORE_COLUMNS, ...fieldKeys.map(fieldColumn)]
}

/** The header a column shows for a time-zone mode. */
export function headerOf(column: ExplorerColumn, timeZone: TimeZoneMode): string {
  return column.colId === DATE_COLUMN ? dateHeader(timeZone) : column.headerName
}

export const TEXT_FILTER_PARAMS = {
  filterOptions: [
    'contains',
    'notContains',
    'equals',
    'notEqual',
    'startsWith',
    'endsWith',
    'blank',
    'notBlank'
  ],
  maxNumConditions: 2,
  buttons: ['reset'],
  debounceMs: 300
}

/**
 * ag-grid column definitions for the Explorer's columns. Visibility and width are initial values
 * only: the definitions are made again whenever the layout or the field list changes, and `hide`
 * or `width` would then undo what the user just chose (a column shown from the chooser hidden
 * again at once).
 */
export function toColDefs(
  columns: readonly ExplorerColumn[],
  timeZone: TimeZoneMode
): ColDef<GridRow>[] {
  return columns.map((column) => ({
    colId: column.colId,
    headerName: headerOf(column, timeZone),
    // The description as the label's own `title`, not `headerTooltip` (header-label.ts).
    headerComponentParams: {
      innerHeaderComponent: HeaderLabel,
      innerHeaderComponentParams: { description: column.description } satisfies HeaderLabelParams
    },
    initialHide: !column.isDefaultVisible,
    initialWidth: column.width,
    sortable: true,
    resizable: true,
    filter: column.isFilterable ? 'agTextColumnFilter' : false,
    filterParams: column.isFilterable ? TEXT_FILTER_PARAMS : undefined,
    valueGetter: (params: ValueGetterParams<GridRow>) =>
      params.data ? column.text(params.data, timeZone) : '',
    valueFormatter: (params: ValueFormatterParams<GridRow>) => String(params.value ?? '')
  }))
}

/** True for the column id of a discovered field. */
export function isFieldColumn(colId: string): boolean {
  return colId.startsWith(FIELD_PREFIX)
}
