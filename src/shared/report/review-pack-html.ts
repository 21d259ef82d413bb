import type { HourStatus } from '../acquisition'
import type { ExportRow } from '../export/columns'
import { formatInstant } from '../export/time-zone'
import type { ExportTimeZone } from '../export/time-zone'

import { isoSeconds, sharingText } from './review-pack'
import type { ReviewPackModel } from './review-pack'

/**
 * The review pack as one printable, self-contained HTML page: inline CSS, inline SVG pictures (an
 * events-over-time histogram and a coverage strip), no script, no external resource. Every value
 * from the data is HTML-escaped.
 */

/** Options of {@link renderReviewPackHtml}. */
export interface HtmlPackOptions {
  timeZone: ExportTimeZone
  /** The records shown, in the order given (the XLSX holds them all). */
  records: readonly ExportRow[]
  /** Resources shown at most (the XLSX holds them all). */
  maxResources?: number
  /** Findings shown per rule at most (the XLSX holds them all). */
  maxFindingsPerRule?: number
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

/** The fragment id of a record's row. */
export function recordAnchor(recordId: string): string {
  return `rec-${recordId.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`
}

/** Record Ids listed per finding; the XLSX lists them all. */
const MAX_IDS_PER_FINDING = 50

const STATUS_COLOURS: Readonly<Record<HourStatus, string>> = {
  complete: '#2e7d32',
  imported: '#1565c0',
  partial: '#f9a825',
  gap: '#c62828',
  pending: '#9e9e9e'
}

const CSS = `
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:24px;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;word-break:break-word}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}dt{font-weight:600}dd{margin:0}
code{font:12px ui-monospace,Consolas,monospace}
.sev-high{color:#b71c1c;font-weight:600}.sev-medium{color:#e65100}.sev-low{color:#555}
.note{color:#555;font-style:italic}.legend span{display:inline-block;margin-right:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}.noprint{display:none}}
`

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

const td = (value: unknown): string => `<td>${escapeHtml(value)}</td>`
const tdNumber = (value: number): string => `<td class="n">${escapeHtml(value)}</td>`
const pct = (share: number): string => `${(share * 100).toFixed(1)} %`

function histogramSvg(model: ReviewPackModel, zone: ExportTimeZone): string {
  const bars = model.histogram.bars
  if (bars.length === 0) {
    return '<p class="note">No records.</p>'
  }
  const width = 1000
  const height = 160
  const max = Math.max(1, ...bars.map((b) => b.count))
  const barWidth = width / bars.length
  const rects = bars
    .map((b, i) => {
      const h = Math.round((b.count / max) * (height - 20))
      return `<rect x="${(i * barWidth).toFixed(2)}" y="${height - h}" width="${Math.max(0.5, barWidth - 1).toFixed(2)}" height="${h}" fill="#1565c0"><title>${escapeHtml(`${formatInstant(b.start, zone)}: ${b.count} events`)}</title></rect>`
    })
    .join('')
  const first = bars[0]
  const last = bars[bars.length - 1]
  return `<svg role="img" aria-label="Events per ${escapeHtml(model.histogram.bucketLabel)}" viewBox="0 0 ${width} ${height + 18}" width="100%" xmlns="http://www.w3.org/2000/svg">
<text x="0" y="10" font-size="11" fill="#555">max ${max} events per ${escapeHtml(model.histogram.bucketLabel)}</text>
${rects}
<text x="0" y="${height + 14}" font-size="11" fill="#555">${escapeHtml(first ? formatInstant(first.start, zone) : '')}</text>
<text x="${width}" y="${height + 14}" font-size="11" fill="#555" text-anchor="end">${escapeHtml(last ? formatInstant(last.start, zone) : '')}</text>
</svg>`
}

function coverageSvg(model: ReviewPackModel, zone: ExportTimeZone): string {
  const { runs, hours } = model.coverage
  if (hours === 0) {
    return '<p class="note">No ledger: the records did not come with acquisition windows (imported files), so coverage is unknown.</p>'
  }
  const width = 1000
  let x = 0
  const rects = runs
    .map((r) => {
      const w = (r.hours / hours) * width
      const rect = `<rect x="${x.toFixed(2)}" y="0" width="${Math.max(0.5, w).toFixed(2)}" height="24" fill="${STATUS_COLOURS[r.status]}"><title>${escapeHtml(`${formatInstant(r.start, zone)} + ${r.hours} h: ${r.status}${r.reason !== '' ? ` (${r.reason})` : ''}`)}</title></rect>`
      x += w
      return rect
    })
    .join('')
  const legend = (Object.keys(STATUS_COLOURS) as HourStatus[])
    .map(
      (s) =>
        `<span><i style="background:${STATUS_COLOURS[s]}"></i>${escapeHtml(s)}: ${model.coverage.counts[s]} h</span>`
    )
    .join('')
  return `<svg role="img" aria-label="Coverage by hour" viewBox="0 0 ${width} 24" width="100%" height="24" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">${rects}</svg>
<p class="legend">${legend}</p>`
}

function recordLink(id: string, shown: ReadonlySet<string>): string {
  return shown.has(id)
    ? `<a href="#${escapeHtml(recordAnchor(id))}"><code>${escapeHtml(id)}</code></a>`
    : `<code>${escapeHtml(id)}</code>`
}

/** Renders the pack as HTML. */
export function renderReviewPackHtml(model: ReviewPackModel, options: HtmlPackOptions): string {
  const zone = options.timeZone
  const time = (ms: number): string => `${formatInstant(ms, zone)} (${zone.label})`
  const shown = new Set(options.records.map((r) => r.record.id))
  const maxResources = options.maxResources ?? 2000
  const maxFindings = options.maxFindingsPerRule ?? 200
  const origin = model.origin
  const period =
    model.period === null ? 'no records' : `${time(model.period.start)} – ${time(model.period.end)}`

  const cover = `<dl>
<dt>Period</dt><dd>${escapeHtml(period)}</dd>
<dt>Made from</dt><dd>${escapeHtml(origin.kind)} <code>${escapeHtml(origin.path)}</code></dd>
${origin.fingerprint !== null ? `<dt>Snapshot fingerprint</dt><dd><code>${escapeHtml(origin.fingerprint)}</code> — check with <code>cax verify &lt;snapshot&gt; --expect ${escapeHtml(origin.fingerprint)}</code></dd>` : '<dt>Snapshot fingerprint</dt><dd class="note">none: made from a working store, not from a snapshot</dd>'}
${origin.verification !== null ? `<dt>Verification</dt><dd>${escapeHtml(origin.verification)}</dd>` : ''}
${origin.snapshotCreatedAt !== null ? `<dt>Snapshot made</dt><dd>${escapeHtml(origin.snapshotCreatedAt)}</dd>` : ''}
<dt>Records</dt><dd>${escapeHtml(model.recordCount)} (${escapeHtml(model.connectorEventCount)} connector events)</dd>
<dt>Resources</dt><dd>${escapeHtml(model.resources.length)}</dd>
<dt>Findings</dt><dd>${escapeHtml(model.findings.reduce((n, f) => n + f.count, 0))} in ${escapeHtml(model.findings.filter((f) => f.count > 0).length)} rule(s)</dd>
<dt>Coverage</dt><dd>${escapeHtml(model.coverage.hours === 0 ? 'unknown (no ledger)' : `${model.coverage.hours} h: ${model.coverage.counts.complete} complete, ${model.coverage.counts.partial} partial, ${model.coverage.counts.gap} gap, ${model.coverage.counts.pending} pending, ${model.coverage.counts.imported} imported from a file`)}</dd>
<dt>Sources</dt><dd>${model.sources.map((s) => `${escapeHtml(s.source)} (${escapeHtml(s.records)})`).join('; ') || '—'}</dd>
<dt>Generated</dt><dd>${escapeHtml(model.generatedAt)} by Connector Audit Explorer ${escapeHtml(model.appVersion)}</dd>
</dl>`

  const summary = (title: string, key: keyof ReviewPackModel['summaries']): string => {
    const stack = model.summaries[key]
    const top = stack.entries.slice(0, 20)
    return `<div><h3>${escapeHtml(title)} (${escapeHtml(stack.distinct)} distinct)</h3>${table(
      [title, 'Count', 'Share'],
      top.map((e) => [td(e.values[0]), tdNumber(e.count), `<td class="n">${pct(e.share)}</td>`])
    )}${stack.distinct > top.length ? `<p class="note">${stack.distinct - top.length} more in the XLSX.</p>` : ''}</div>`
  }

  const resources = model.resources.slice(0, maxResources)
  const resourcesTable = table(
    [
      'Resource',
      'Kind',
      'Environment',
      'Connector',
      'State',
      'Created',
      'Last change',
      'Events',
      'Sharing'
    ],
    resources.map((r) => [
      `<td><code>${escapeHtml(r.resourceId)}</code>${r.name !== '' ? `<br>${escapeHtml(r.name)}` : ''}</td>`,
      td(r.kind),
      td(r.environmentName !== '' ? `${r.environmentName} (${r.environment})` : r.environment),
      td(r.connector),
      `<td>${escapeHtml(r.state)}<br><span class="note">${escapeHtml(r.stateBasis)}</span></td>`,
      `<td>${r.created !== null ? `${escapeHtml(time(r.created.at))} by ${escapeHtml(r.created.by)}` : ''}<br><span class="note">${escapeHtml(r.createdBasis)}</span></td>`,
      td(`${time(r.lastChange.at)} ${r.lastChange.by}`),
      tdNumber(r.eventCount),
      td(sharingText(r))
    ])
  )

  const findings = model.findings
    .map((f) => {
      const listed = f.items.slice(0, maxFindings)
      const items =
        f.items.length === 0
          ? '<p class="note">None found.</p>'
          : `<ol>${listed
              .map(
                (i) =>
                  `<li>${escapeHtml(i.reason)}<br>records: ${i.recordIds
                    .slice(0, MAX_IDS_PER_FINDING)
                    .map((id) => recordLink(id, shown))
                    .join(
                      ', '
                    )}${i.recordIds.length > MAX_IDS_PER_FINDING ? ` and ${i.recordIds.length - MAX_IDS_PER_FINDING} more (all in the XLSX)` : ''}</li>`
              )
              .join(
                '\n'
              )}</ol>${f.items.length > listed.length ? `<p class="note">${f.items.length - listed.length} more in the XLSX.</p>` : ''}`
      return `<h3><span class="sev-${escapeHtml(f.severity)}">[${escapeHtml(f.severity)}]</span> ${escapeHtml(f.title)}: ${escapeHtml(f.count)}</h3>
<p class="note">${escapeHtml(f.description)}</p>${items}`
    })
    .join('\n')

  const records = table(
    [
      'Time',
      'Id',
      'Activity',
      'Operation',
      'User',
      'IP',
      'Environment',
      'Resource',
      'Tags',
      'Comment'
    ],
    options.records.map(({ record, annotation }) => [
      td(time(record.createdAtMs)),
      `<td id="${escapeHtml(recordAnchor(record.id))}"><code>${escapeHtml(record.id)}</code></td>`,
      td(record.activity),
      td(record.operation),
      td(record.userId),
      td(record.clientIp),
      td(record.environmentName || record.environment),
      td(record.resource),
      td(annotation?.tags.join('; ') ?? ''),
      td(annotation?.comment ?? '')
    ])
  )

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${escapeHtml(model.title)}</h1>
<p class="note">Times in ${escapeHtml(zone.label)}. Findings and resource states say which records they rest on; the XLSX holds every record.</p>
<h2 id="cover">Cover</h2>
${cover}
<h2 id="coverage">Coverage</h2>
${coverageSvg(model, zone)}
<h2 id="histogram">Events over time (per ${escapeHtml(model.histogram.bucketLabel)})</h2>
${histogramSvg(model, zone)}
<h2 id="summary">Summary</h2>
<div class="grid2">${summary('Category', 'category')}${summary('Activity', 'activity')}${summary('Environment', 'environment')}${summary('Actor', 'actor')}</div>
<h2 id="findings">Findings</h2>
${findings}
<h2 id="resources">Resources (${escapeHtml(model.resources.length)})</h2>
${model.resources.length > resources.length ? `<p class="note">The first ${resources.length} of ${model.resources.length} resources, most recently changed first; the XLSX holds them all.</p>` : ''}
${resourcesTable}
${
  model.unattributed.length > 0
    ? `<p class="note">${escapeHtml(model.unattributed.length)} connector record(s) name no resource and are not in any row: ${model.unattributed
        .slice(0, 50)
        .map((u) => recordLink(u.recordId, shown))
        .join(', ')}</p>`
    : ''
}
<h2 id="records">Records (${escapeHtml(options.records.length)} of ${escapeHtml(model.recordCount)})</h2>
${options.records.length < model.recordCount ? `<p class="note">Shown: every record a finding cites, then the first others of the cache, in event order (${options.records.length} of ${model.recordCount}); the XLSX holds them all.</p>` : ''}
${records}
<p class="note">Generated ${escapeHtml(isoSeconds(Date.parse(model.generatedAt)))}.</p>
</body></html>
`
}
