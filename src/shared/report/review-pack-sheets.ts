import type { ExportColumn } from '../export/columns'
import type { FindingItem, FindingResult } from '../governance/findings'
import type { ResourceRow, SharingEntry } from '../governance/resources'

import { isoSeconds, sharingText } from './review-pack'
import type { ReviewPackModel } from './review-pack'

/**
 * The review pack's sheets as data: columns (header, kind, getter) and the rows they read, so
 * any tabular writer renders them with the shared cell-safety rules.
 */

/** A cover line. */
export interface CoverLine {
  item: string
  value: string | number
}

/** Cover sheet columns. */
export const COVER_COLUMNS: readonly ExportColumn<CoverLine>[] = [
  { id: 'item', header: 'Item', kind: 'text', get: (r) => r.item },
  { id: 'value', header: 'Value', kind: 'text', get: (r) => String(r.value) }
]

/** The cover lines of a pack. */
export function coverLines(
  model: ReviewPackModel,
  recordsInSheet: { written: number; leftOut: number }
): CoverLine[] {
  const o = model.origin
  const c = model.coverage
  const lines: CoverLine[] = [
    { item: 'Title', value: model.title },
    {
      item: 'Period (UTC)',
      value:
        model.period === null
          ? 'no records'
          : `${isoSeconds(model.period.start)} – ${isoSeconds(model.period.end)}`
    },
    { item: 'Made from', value: `${o.kind} ${o.path}` },
    {
      item: 'Snapshot fingerprint',
      value: o.fingerprint ?? 'none: made from a working store, not from a snapshot'
    }
  ]
  if (o.verification !== null) {
    lines.push({ item: 'Snapshot verification', value: o.verification })
  }
  if (o.snapshotCreatedAt !== null) {
    lines.push({ item: 'Snapshot made', value: o.snapshotCreatedAt })
  }
  lines.push(
    { item: 'Records', value: model.recordCount },
    { item: 'Connector events', value: model.connectorEventCount },
    { item: 'Resources', value: model.resources.length },
    {
      item: 'Findings',
      value: `${model.findings.reduce((n, f) => n + f.count, 0)} in ${model.findings.filter((f) => f.count > 0).length} rule(s)`
    },
    {
      item: 'Coverage',
      value:
        c.hours === 0
          ? 'unknown: no ledger (the records did not come with acquisition windows)'
          : `${c.hours} h: ${c.counts.complete} complete, ${c.counts.partial} partial, ${c.counts.gap} gap, ${c.counts.pending} pending, ${c.counts.imported} imported from a file`
    }
  )
  for (const run of c.runs.filter((r) => r.status !== 'complete').slice(0, 50)) {
    lines.push({
      item: `Coverage ${run.status}`,
      value: `${isoSeconds(run.start)} + ${run.hours} h${run.reason !== '' ? `: ${run.reason}` : ''}`
    })
  }
  for (const [key, n] of Object.entries(model.ledgerWindows).sort()) {
    lines.push({ item: `Ledger windows ${key}`, value: n })
  }
  for (const s of model.sources) {
    lines.push({ item: 'Source', value: `${s.source}: ${s.records} records` })
  }
  lines.push({
    item: 'Records sheet',
    value:
      recordsInSheet.leftOut > 0
        ? `${recordsInSheet.written} records; ${recordsInSheet.leftOut} more did not fit Excel's row limit (export them with cax export --format csv)`
        : `${recordsInSheet.written} records`
  })
  lines.push(
    {
      item: 'Generated',
      value: `${model.generatedAt} by Connector Audit Explorer ${model.appVersion}`
    },
    { item: 'Settings', value: JSON.stringify(model.settings) }
  )
  return lines
}

/** One row of the summary sheet. */
export interface SummaryLine {
  dimension: string
  value: string
  count: number
  share: number
}

/** Summary sheet columns. */
export const SUMMARY_COLUMNS: readonly ExportColumn<SummaryLine>[] = [
  { id: 'dimension', header: 'Counted by', kind: 'text', get: (r) => r.dimension },
  { id: 'value', header: 'Value', kind: 'text', get: (r) => r.value },
  { id: 'count', header: 'Count', kind: 'number', get: (r) => r.count },
  {
    id: 'share',
    header: 'Share',
    kind: 'number',
    get: (r) => Math.round(r.share * 10_000) / 10_000
  }
]

/** Summary lines: counts by category, activity, environment and actor. */
export function summaryLines(model: ReviewPackModel): SummaryLine[] {
  const out: SummaryLine[] = []
  const dims: Array<[string, keyof ReviewPackModel['summaries']]> = [
    ['Category', 'category'],
    ['Activity', 'activity'],
    ['Environment', 'environment'],
    ['Actor', 'actor']
  ]
  for (const [dimension, key] of dims) {
    for (const e of model.summaries[key].entries) {
      out.push({ dimension, value: e.values[0] ?? '', count: e.count, share: e.share })
    }
  }
  return out
}

/** Resources sheet columns. */
export const RESOURCE_COLUMNS: readonly ExportColumn<ResourceRow>[] = [
  { id: 'resourceId', header: 'ResourceId', kind: 'id', get: (r) => r.resourceId },
  { id: 'kind', header: 'Kind', kind: 'text', get: (r) => r.kind },
  { id: 'name', header: 'Name', kind: 'text', get: (r) => r.name },
  { id: 'environment', header: 'EnvironmentId', kind: 'id', get: (r) => r.environment },
  { id: 'environmentName', header: 'Environment', kind: 'text', get: (r) => r.environmentName },
  { id: 'connector', header: 'Connector', kind: 'text', get: (r) => r.connector },
  { id: 'state', header: 'State', kind: 'text', get: (r) => r.state },
  { id: 'stateBasis', header: 'State rests on', kind: 'text', get: (r) => r.stateBasis },
  { id: 'stateRecordId', header: 'State record', kind: 'id', get: (r) => r.stateRecordId },
  { id: 'createdAt', header: 'Created', kind: 'datetime', get: (r) => r.created?.at ?? null },
  { id: 'createdBy', header: 'Created by', kind: 'text', get: (r) => r.created?.by ?? '' },
  {
    id: 'createdRecordId',
    header: 'Create record',
    kind: 'id',
    get: (r) => r.created?.recordId ?? ''
  },
  { id: 'createdBasis', header: 'Created rests on', kind: 'text', get: (r) => r.createdBasis },
  { id: 'firstSeen', header: 'First seen', kind: 'datetime', get: (r) => r.firstSeen.at },
  { id: 'lastChange', header: 'Last change', kind: 'datetime', get: (r) => r.lastChange.at },
  { id: 'lastChangeBy', header: 'Last change by', kind: 'text', get: (r) => r.lastChange.by },
  { id: 'lastChangeKind', header: 'Last change', kind: 'text', get: (r) => r.lastChange.change },
  {
    id: 'lastChangeRecordId',
    header: 'Last change record',
    kind: 'id',
    get: (r) => r.lastChange.recordId
  },
  { id: 'events', header: 'Events', kind: 'number', get: (r) => r.eventCount },
  { id: 'holders', header: 'Holders', kind: 'number', get: (r) => r.sharing.length },
  { id: 'sharing', header: 'Sharing', kind: 'text', get: (r) => sharingText(r) },
  { id: 'policy', header: 'Data policy', kind: 'text', get: (r) => r.policy },
  { id: 'notes', header: 'Notes', kind: 'text', get: (r) => r.notes.join('; ') }
]

/** One holder of one resource. */
export interface SharingLine {
  resource: ResourceRow
  holder: SharingEntry
}

/** Sharing sheet columns: who can use what, since when, granted by whom. */
export const SHARING_COLUMNS: readonly ExportColumn<SharingLine>[] = [
  { id: 'resourceId', header: 'ResourceId', kind: 'id', get: (r) => r.resource.resourceId },
  { id: 'kind', header: 'Kind', kind: 'text', get: (r) => r.resource.kind },
  {
    id: 'environmentName',
    header: 'Environment',
    kind: 'text',
    get: (r) => r.resource.environmentName || r.resource.environment
  },
  { id: 'principal', header: 'Principal', kind: 'id', get: (r) => r.holder.principal },
  {
    id: 'principalName',
    header: 'Principal name',
    kind: 'text',
    get: (r) => r.holder.principalName
  },
  { id: 'permission', header: 'Permission', kind: 'text', get: (r) => r.holder.permission },
  { id: 'audience', header: 'Reaches', kind: 'text', get: (r) => r.holder.audience },
  { id: 'since', header: 'Since', kind: 'datetime', get: (r) => r.holder.since },
  { id: 'grantedBy', header: 'Granted by', kind: 'text', get: (r) => r.holder.grant.by },
  { id: 'grantedAt', header: 'Granted', kind: 'datetime', get: (r) => r.holder.grant.at },
  { id: 'grantRecordId', header: 'Grant record', kind: 'id', get: (r) => r.holder.grant.recordId }
]

/** Sharing lines of every resource that is not deleted. */
export function sharingLines(model: ReviewPackModel): SharingLine[] {
  return model.resources.flatMap((resource) =>
    resource.sharing.map((holder) => ({ resource, holder }))
  )
}

/** One row of the findings sheet: a finding, or a rule that found nothing. */
export interface FindingLine {
  rule: FindingResult
  item: FindingItem | null
}

/** Findings sheet columns. */
export const FINDING_COLUMNS: readonly ExportColumn<FindingLine>[] = [
  { id: 'ruleId', header: 'Rule', kind: 'text', get: (r) => r.rule.ruleId },
  { id: 'title', header: 'Finding', kind: 'text', get: (r) => r.rule.title },
  { id: 'severity', header: 'Severity', kind: 'text', get: (r) => r.rule.severity },
  { id: 'ruleCount', header: 'Count (rule)', kind: 'number', get: (r) => r.rule.count },
  { id: 'at', header: 'When', kind: 'datetime', get: (r) => r.item?.at ?? null },
  {
    id: 'reason',
    header: 'Reason',
    kind: 'text',
    get: (r) => r.item?.reason ?? `None found. ${r.rule.description}`
  },
  { id: 'actor', header: 'Actor', kind: 'text', get: (r) => r.item?.actor ?? '' },
  { id: 'resource', header: 'Resource', kind: 'id', get: (r) => r.item?.resourceKey ?? '' },
  { id: 'records', header: 'Records', kind: 'number', get: (r) => r.item?.recordIds.length ?? 0 },
  {
    id: 'recordIds',
    header: 'Record Ids',
    kind: 'text',
    get: (r) => r.item?.recordIds.join(', ') ?? ''
  }
]

/** Findings lines: every item of every rule, and one line for each rule that found nothing. */
export function findingLines(model: ReviewPackModel): FindingLine[] {
  return model.findings.flatMap((rule): FindingLine[] =>
    rule.items.length === 0 ? [{ rule, item: null }] : rule.items.map((item) => ({ rule, item }))
  )
}
