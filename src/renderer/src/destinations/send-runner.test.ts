import { describe, expect, it } from 'vitest'

import type { SendProgress, SendSummary } from '../../../shared/destinations'
import { fail, ok } from '../../../shared/errors'
import type { AppApi } from '../../../shared/ipc/contract'
import { testRecord } from '../../../shared/export/test-records'
import { DATE_COLUMN, emptyQuery, type ExplorerQuery } from '../explorer/query-types'

import { runSend, sendQuery, summaryText, type SendStep } from './send-runner'

const SUMMARY: SendSummary = {
  destination: 'History',
  target: 'https://c.westeurope.kusto.windows.net Db.T',
  status: 'complete',
  records: 5,
  parts: 1,
  sentRecords: 5,
  sentParts: 1,
  alreadyThereRecords: 0,
  alreadyThereParts: 0,
  failedRecords: 0,
  failedParts: 0,
  failures: [],
  throttled: 0,
  isResumed: false,
  fingerprint: 'ab'.repeat(32)
}

/** A fake of the send channels that records what the runner handed over. */
function fakeApi(options: { finish?: () => ReturnType<AppApi['sends']['finish']> } = {}): {
  api: AppApi
  appended: string[][]
  cancelled: string[]
} {
  const appended: string[][] = []
  const cancelled: string[] = []
  let listener: ((p: SendProgress) => void) | undefined
  const sends = {
    begin: async () => ok({ sendId: 's1' }),
    append: async ({ records }: { records: { id: string }[] }) => {
      appended.push(records.map((r) => r.id))
      return ok({ records: records.length })
    },
    finish: async () => {
      listener?.({
        sendId: 's1',
        phase: 'pushing',
        records: 5,
        recordsDone: 5,
        partsDone: 1,
        throttled: 0,
        line: ''
      })
      return options.finish ? options.finish() : ok(SUMMARY)
    },
    cancel: async ({ sendId }: { sendId: string }) => {
      cancelled.push(sendId)
      return ok({ cancelled: true })
    },
    onDidProgress: (l: (p: SendProgress) => void) => {
      listener = l
      return () => (listener = undefined)
    }
  }
  return { api: { sends } as unknown as AppApi, appended, cancelled }
}

const records = Array.from({ length: 5 }, (_, i) => testRecord(`r${i}`))

describe('the Send to… runner', () => {
  it('sends the view oldest first then by Id, whatever the grid’s sort, or the whole cache', () => {
    const view: ExplorerQuery = {
      ...emptyQuery(),
      quickSearch: 'Operation:Delete',
      sort: [{ colId: 'userId', sort: 'desc' }]
    }
    const order = [
      { colId: DATE_COLUMN, sort: 'asc' },
      { colId: 'id', sort: 'asc' }
    ]
    expect(sendQuery('view', view)).toEqual({ ...view, sort: order })
    expect(sendQuery('cache', view)).toEqual({ ...emptyQuery(), sort: order })
  })

  it('hands every record over in order, then reports main’s progress and the summary', async () => {
    const { api, appended } = fakeApi()
    const steps: SendStep[] = []
    const outcome = await runSend({
      api,
      destinationId: 'd1',
      scope: 'view',
      viewQuery: emptyQuery(),
      fetchRecords: async (_q, start, end) => ({
        total: records.length,
        records: records.slice(start, Math.min(end, start + 2)),
        annotations: {}
      }),
      signal: new AbortController().signal,
      onProgress: (s) => steps.push(s)
    })
    expect(outcome).toEqual({ status: 'done', summary: SUMMARY })
    expect(appended.flat()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4'])
    expect(steps.at(-1)).toMatchObject({ phase: 'pushing', done: 5, total: 5 })
    expect(summaryText(SUMMARY)).toBe(
      'Sent to History: 5 records in 1 part — 5 sent and counted, 0 already there, 0 failed.'
    )
  })

  it('cancels main’s send when aborted, and passes a failure on with its code', async () => {
    const controller = new AbortController()
    const { api, cancelled } = fakeApi({
      finish: async () => {
        controller.abort()
        await Promise.resolve()
        return fail('send/cancelled', 'cancelled')
      }
    })
    const job = {
      api,
      destinationId: 'd1',
      scope: 'cache' as const,
      viewQuery: emptyQuery(),
      fetchRecords: async () => ({ total: 1, records: [records[0]!], annotations: {} }),
      onProgress: () => undefined
    }
    expect(await runSend({ ...job, signal: controller.signal })).toEqual({ status: 'cancelled' })
    expect(cancelled).toEqual(['s1'])
    const failing = fakeApi({ finish: async () => fail('send/failed', 'the cluster said no') })
    expect(
      await runSend({ ...job, api: failing.api, signal: new AbortController().signal })
    ).toEqual({ status: 'failed', error: { code: 'send/failed', message: 'the cluster said no' } })
  })
})
