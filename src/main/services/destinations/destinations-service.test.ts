import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { MemoryLogger } from '../logging/logger'
import { ProfilesService } from '../profiles/profiles-service'

import { DestinationsService } from './destinations-service'

describe('DestinationsService', () => {
  let dir: string
  let profiles: ProfilesService
  let profileId: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-destinations-'))
    profiles = new ProfilesService({ dataDir: dir, log: new MemoryLogger() })
    profileId = (
      await profiles.save({
        displayName: 'Contoso',
        tenant: 'contoso.onmicrosoft.com',
        clientId: '11111111-2222-3333-4444-555555555555',
        cloud: 'commercial',
        signInMode: 'interactive'
      })
    ).id
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const service = (): DestinationsService =>
    new DestinationsService({ dataDir: dir, log: new MemoryLogger(), profiles })

  it('refuses an update that changes the engine, and keeps the destination as it was', async () => {
    const destinations = service()
    const adx = await destinations.save({
      kind: 'adx',
      displayName: 'History cluster',
      profileId,
      adx: { cluster: 'https://hist.westeurope.kusto.windows.net', database: 'A', table: 'T' }
    })
    const flipped = destinations.save({
      id: adx.id,
      kind: 'loganalytics',
      displayName: 'History cluster',
      profileId,
      loganalytics: {
        endpoint: 'https://dce.westeurope-1.ingest.monitor.azure.com',
        ruleId: `dcr-${'0'.repeat(32)}`,
        table: 'PowerPlatformAudit_CL',
        workspaceId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'
      }
    })
    await expect(flipped).rejects.toMatchObject({
      code: 'destinations/invalid',
      message: expect.stringMatching(
        /History cluster sends to Azure Data Explorer; a destination's engine cannot change\. Add a new destination for Log Analytics/
      )
    })
    expect(await destinations.list()).toEqual([adx])
    // Nothing was written either: a fresh service reads the same one destination.
    expect(await service().list()).toEqual([adx])

    // The other way round too; a new destination of the other engine is fine.
    const la = await destinations.save({
      kind: 'loganalytics',
      displayName: 'Sentinel',
      profileId,
      loganalytics: {
        endpoint: 'https://dce.westeurope-1.ingest.monitor.azure.com',
        ruleId: `dcr-${'1'.repeat(32)}`,
        table: 'PowerPlatformAudit_CL',
        workspaceId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'
      }
    })
    await expect(
      destinations.save({
        id: la.id,
        kind: 'adx',
        displayName: 'Sentinel',
        profileId,
        adx: { cluster: 'https://hist.westeurope.kusto.windows.net', database: 'A', table: 'T' }
      })
    ).rejects.toMatchObject({ code: 'destinations/invalid' })
    expect(await service().list()).toEqual([adx, la])
  })
})
