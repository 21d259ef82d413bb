import { describe, expect, it } from 'vitest'

import { ADX_DEFAULT_TABLE } from '../../../shared/adx/adx-table'
import type { Destination } from '../../../shared/destinations'

import { afterDelete, emptyFields, fieldsOf, inputOf } from './destination-fields'

const ADX: Destination = {
  id: 'd-adx',
  kind: 'adx',
  displayName: 'History cluster',
  profileId: 'p1',
  adx: {
    cluster: 'https://hist.westeurope.kusto.windows.net',
    database: 'AuditHistory',
    table: 'ConnectorAudit'
  }
}
const LA: Destination = {
  id: 'd-la',
  kind: 'loganalytics',
  displayName: 'Sentinel',
  profileId: 'p2',
  loganalytics: {
    endpoint: 'https://dce.westeurope-1.ingest.monitor.azure.com',
    ruleId: `dcr-${'0123456789abcdef'.repeat(2)}`,
    table: 'PowerPlatformAudit_CL',
    workspaceId: '11111111-2222-3333-4444-555555555555'
  }
}
const DEMO: Destination = { ...ADX, id: 'd-demo', displayName: 'Demo', isDemo: true }

describe('destination form fields', () => {
  it('a new destination starts empty with the default tables, signed in with the first connection', () => {
    const f = emptyFields('p1')
    expect(f).toMatchObject({ kind: 'adx', displayName: '', profileId: 'p1', cluster: '' })
    expect(f.table).toBe(ADX_DEFAULT_TABLE)
    expect(f.laTable).toBe('PowerPlatformAudit_CL')
  })

  it('an edit round-trips each engine into an update of the same id', () => {
    for (const d of [ADX, LA]) {
      const back = inputOf(fieldsOf(d), d.id)
      expect(back).toEqual({ ok: true, input: d })
    }
  })

  it('an edited table name goes into the update; without an id it is a new destination', () => {
    const edited = { ...fieldsOf(ADX), table: 'ConnectorAudit2' }
    const update = inputOf(edited, ADX.id)
    expect(update.ok && update.input).toMatchObject({
      id: 'd-adx',
      adx: { table: 'ConnectorAudit2', database: 'AuditHistory' }
    })
    const create = inputOf(edited)
    expect(create.ok && 'id' in create.input).toBe(false)
  })

  it('never hands main a placement: the demo flag and its query base stay main’s to keep', () => {
    const back = inputOf(fieldsOf({ ...DEMO, logAnalyticsBase: 'https://127.0.0.1:1/la' }), DEMO.id)
    expect(back.ok).toBe(true)
    expect(back.ok && Object.keys(back.input).sort()).toEqual(
      ['adx', 'displayName', 'id', 'kind', 'profileId'].sort()
    )
  })

  it('says which field is wrong', () => {
    const bad = inputOf({ ...fieldsOf(ADX), table: 'drop table;', cluster: 'http://x' }, ADX.id)
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.error).toMatch(/cluster: must be an https:\/\/ URL/)
    expect(!bad.ok && bad.error).toMatch(/table: must be a table name/)
  })
})

describe('afterDelete', () => {
  const all = [ADX, LA, DEMO]

  it('keeps the chosen destination when another one is deleted', () => {
    expect(afterDelete(all, 'd-la', 'd-demo')).toEqual({
      destinations: [ADX, DEMO],
      chosen: 'd-demo'
    })
  })

  it('chooses the one that took the deleted one’s place, or the last', () => {
    expect(afterDelete(all, 'd-la', 'd-la').chosen).toBe('d-demo')
    expect(afterDelete(all, 'd-demo', 'd-demo').chosen).toBe('d-la')
  })

  it('chooses nothing when none is left', () => {
    expect(afterDelete([ADX], 'd-adx', 'd-adx')).toEqual({ destinations: [], chosen: '' })
  })
})
