import type { ValueGetterParams } from 'ag-grid-community'
import { describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'

import {
  CORE_COLUMNS,
  dateHeader,
  explorerColumns,
  formatTime,
  toColDefs,
  utcOffset
} from './explorer-columns'
import { HeaderLabel } from './header-label'
import type { GridRow } from './query-types'

function row(): GridRow {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { raw, warnings, ...rest } = makeRecord({
    createdAtMs: Date.UTC(2026, 4, 19, 13, 17, 34),
    resource: '',
    objectId: 'obj-1',
    fields: { 'AdditionalInfo.ActionName': 'PutConnection' }
  })
  return { ...rest, tags: ['a', 'b'] }
}

describe('explorer columns', () => {
  it('start with the auditor columns, visible, then the rest hidden', () => {
    expect(CORE_COLUMNS.filter((c) => c.isDefaultVisible).map((c) => c.headerName)).toEqual([
      'Date',
      'IP address',
      'User',
      'Activity',
      'Item'
    ])
    expect(CORE_COLUMNS.map((c) => c.headerName)).toEqual(
      expect.arrayContaining([
        'Environment',
        'Action',
        'Resource',
        'User type',
        'Operation',
        'Record type',
        'Workload',
        'Id',
        'Organization Id',
        'Object Id'
      ])
    )
  })

  it('name the time zone in the Date header and format both zones', () => {
    expect(dateHeader('utc')).toBe('Date (UTC)')
    const at = new Date(Date.UTC(2026, 0, 1))
    expect(dateHeader('local', at)).toBe(`Date (local, UTC${utcOffset(at)})`)
    expect(utcOffset(at)).toMatch(/^[+-]\d\d:\d\d$/)
    const ms = Date.UTC(2026, 4, 19, 13, 17, 34)
    expect(formatTime(ms, 'utc')).toBe('2026-05-19 13:17:34')
    expect(formatTime(ms, 'local')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
  })

  it('become ag-grid definitions with function getters, one per discovered field', () => {
    const defs = toColDefs(explorerColumns(['AdditionalInfo.ActionName']), 'utc')
    const data = row()
    const get = (colId: string): unknown => {
      const def = defs.find((d) => d.colId === colId)!
      expect(typeof def.valueGetter).toBe('function')
      return (def.valueGetter as (p: ValueGetterParams<GridRow>) => unknown)({
        data
      } as ValueGetterParams<GridRow>)
    }
    expect(defs[0]).toMatchObject({ colId: 'createdAt', headerName: 'Date (UTC)', filter: false })
    expect(get('createdAt')).toBe('2026-05-19 13:17:34')
    expect(get('item')).toBe('obj-1')
    expect(get('tags')).toBe('a, b')
    expect(get('f:AdditionalInfo.ActionName')).toBe('PutConnection')
    const field = defs.find((d) => d.colId === 'f:AdditionalInfo.ActionName')!
    expect(field).toMatchObject({ initialHide: true, filter: 'agTextColumnFilter' })
    expect(field.headerComponentParams).toMatchObject({ innerHeaderComponent: HeaderLabel })
    expect(field.headerComponentParams.innerHeaderComponentParams.description).toContain('action')
    expect(field.headerTooltip).toBeUndefined()
    expect(defs.every((d) => typeof d.valueFormatter === 'function')).toBe(true)
  })
})
