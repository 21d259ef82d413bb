import { parse } from 'parse5'
import { describe, expect, it } from 'vitest'

import { emptyLedger } from '../acquisition'
import { resolveTimeZone } from '../export/time-zone'
import { connectionId, crafted } from '../governance/test-records'

import { ReviewPackBuilder } from './review-pack'
import { escapeHtml, recordAnchor, renderReviewPackHtml } from './review-pack-html'

const ORIGIN = {
  kind: 'store' as const,
  path: '/tmp/<store>',
  fingerprint: null,
  verification: null,
  snapshotCreatedAt: null
}

function deletions(n: number): ReturnType<typeof crafted>[] {
  return Array.from({ length: n }, (_, i) =>
    crafted({
      id: `del-${String(i).padStart(3, '0')}`,
      at: new Date(Date.UTC(2026, 4, 23, 22, 0, i)).toISOString().slice(0, 19),
      operation: 'DeleteConnection',
      resource: connectionId('shared_sql', i),
      actor: 'night-owl@contoso.example'
    })
  )
}

describe('renderReviewPackHtml', () => {
  it('escapes text and attribute values, and makes record anchors safe', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'
    )
    expect(recordAnchor('a"b <c>')).toBe('rec-a_22b_20_3cc_3e')
  })

  it('lists at most the configured findings per rule and ids per finding, pointing to the XLSX', () => {
    const builder = new ReviewPackBuilder()
    for (const r of deletions(60)) {
      builder.add(r)
    }
    const model = builder.finish({
      ledger: emptyLedger(),
      origin: ORIGIN,
      now: new Date('2026-05-25T00:00:00Z'),
      appVersion: '1.0'
    })
    expect(
      model.findings.find((f) => f.ruleId === 'deletion-burst')?.items[0]?.recordIds
    ).toHaveLength(60)
    const html = renderReviewPackHtml(model, {
      timeZone: resolveTimeZone('UTC'),
      records: [],
      maxFindingsPerRule: 1
    })
    expect(html).toContain('and 10 more (all in the XLSX)')
    // 60 deletions on one Saturday night: one outside-hours finding; the burst rule found one too.
    expect(html).not.toContain('more in the XLSX.</p>')
    expect(parse(html)).toBeDefined()
    expect(html).toContain('/tmp/&lt;store&gt;')
    expect(html).not.toContain('/tmp/<store>')

    const two = new ReviewPackBuilder()
    for (const r of [
      ...deletions(2),
      crafted({
        id: 'other',
        at: '2026-05-24T23:00:00',
        operation: 'PatchConnection',
        resource: connectionId('shared_sql', 1),
        actor: 'owl2@contoso.example'
      })
    ]) {
      two.add(r)
    }
    const capped = renderReviewPackHtml(
      two.finish({
        ledger: emptyLedger(),
        origin: ORIGIN,
        now: new Date('2026-05-25T00:00:00Z'),
        appVersion: '1.0'
      }),
      { timeZone: resolveTimeZone('UTC'), records: [], maxFindingsPerRule: 1 }
    )
    expect(capped).toContain('1 more in the XLSX.</p>')
  })
})
