import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { importAuditFile } from './import-audit-file'

/**
 * Imports a generated Purview CSV of 200,000 rows and checks that the heap stays flat: the
 * importer must hold one chunk, one batch and the Id memory, never the file or its records.
 */

const ROWS = 200_000
const DUPLICATE_EVERY = 1000
const HEAP_BOUND = 64 * 1024 * 1024

// Lets the test collect garbage before measuring, so the numbers are live memory, not litter.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function auditData(i: number): string {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
  return JSON.stringify({
    CreationTime: `2024-03-01T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
    Id: id,
    Operation: i % 2 === 0 ? 'PutConnection' : 'PatchApi',
    OrganizationId: '33333333-3333-3333-3333-333333333333',
    RecordType: 187,
    UserKey: `user-${i % 500}`,
    UserType: 0,
    Version: 1,
    Workload: 'PowerApps',
    ClientIP: '::ffff:10.1.2.3',
    UserId: `maker${i % 500}@contoso.example`,
    AdditionalInfo: JSON.stringify({
      EnvironmentName: `Default-${id}`,
      ActionName: 'PutConnection',
      ResourceId: `/providers/Microsoft.PowerApps/apis/shared_sql/connections/c-${i}`
    })
  })
}

function row(i: number): string {
  const data = auditData(i)
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
  return `${id},3/1/2024 10:11:12 AM,187,PutConnection,maker@contoso.example,"${data.replaceAll('"', '""')}",,\r\n`
}

describe('streaming a 200,000-row CSV', () => {
  let dir = ''
  let file = ''

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-import-'))
    file = join(dir, 'big-purview.csv')
    const out = createWriteStream(file)
    out.write(
      'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n'
    )
    for (let start = 0; start < ROWS; start += 1000) {
      let chunk = ''
      for (let i = start; i < start + 1000; i += 1) {
        // every DUPLICATE_EVERY-th row repeats an earlier record
        chunk += row(i % DUPLICATE_EVERY === DUPLICATE_EVERY - 1 ? i - 1 : i)
      }
      if (!out.write(chunk)) {
        await once(out, 'drain')
      }
    }
    out.end()
    await once(out, 'finish')
  }, 60_000)

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps heap growth bounded while importing every row', async () => {
    const { size } = await stat(file)
    gc()
    const baseline = process.memoryUsage().heapUsed
    let peak = 0
    let accepted = 0
    let batches = 0
    const run = importAuditFile(file)
    for await (const batch of run) {
      accepted += batch.records.length
      batches += 1
      if (batches % 20 === 0) {
        gc()
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline)
      }
    }
    expect(run.summary.rowsRead).toBe(ROWS)
    expect(accepted).toBe(ROWS - ROWS / DUPLICATE_EVERY)
    expect(run.summary.duplicatesCollapsed).toBe(ROWS / DUPLICATE_EVERY)
    expect(run.summary.rejectedCount).toBe(0)
    // The file is several times the bound, so holding it (or its records) would fail this.
    expect(size).toBeGreaterThan(2 * HEAP_BOUND)
    expect(peak).toBeLessThan(HEAP_BOUND)
  }, 180_000)
})
