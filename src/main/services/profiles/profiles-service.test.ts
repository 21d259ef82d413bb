import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { DestinationsService } from '../destinations/destinations-service'
import { MemoryLogger } from '../logging/logger'

import { ProfilesService } from './profiles-service'

/** profiles.json and destinations.json as releases before the shared JSON collection wrote them. */
const PROFILES_JSON = `{
  "version": 1,
  "profiles": [
    {
      "id": "p-1",
      "displayName": "Contoso",
      "tenant": "contoso.onmicrosoft.com",
      "clientId": "11111111-2222-3333-4444-555555555555",
      "cloud": "commercial",
      "signInMode": "interactive",
      "accountHomeId": "uid.utid"
    }
  ]
}
`
const DESTINATIONS_JSON = `{
  "version": 1,
  "destinations": [
    {
      "id": "d-1",
      "kind": "adx",
      "displayName": "History",
      "profileId": "p-1",
      "adx": {
        "cluster": "https://contoso.westeurope.kusto.windows.net",
        "database": "Audit",
        "table": "Connector"
      }
    }
  ]
}
`

describe('ProfilesService and DestinationsService files', () => {
  let dir: string
  const log = new MemoryLogger()

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-profiles-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('read files written before the shared collection and write them back the same', async () => {
    await writeFile(join(dir, 'profiles.json'), PROFILES_JSON)
    await writeFile(join(dir, 'destinations.json'), DESTINATIONS_JSON)
    const profiles = new ProfilesService({ dataDir: dir, log })
    const destinations = new DestinationsService({ dataDir: dir, log, profiles })

    expect((await profiles.get('p-1')).accountHomeId).toBe('uid.utid')
    expect((await destinations.get('d-1')).profileId).toBe('p-1')

    // A change rewrites each file in the same format: same keys, same order, same layout.
    await profiles.setAccount('p-1', 'uid.utid')
    const saved = await destinations.save({ ...(await destinations.get('d-1')) })
    expect(saved.id).toBe('d-1')
    expect(await readFile(join(dir, 'profiles.json'), 'utf8')).toBe(PROFILES_JSON)
    expect(await readFile(join(dir, 'destinations.json'), 'utf8')).toBe(DESTINATIONS_JSON)
  })

  it('keep their own error codes', async () => {
    const profiles = new ProfilesService({ dataDir: dir, log })
    const destinations = new DestinationsService({ dataDir: dir, log, profiles })
    await expect(profiles.get('nope')).rejects.toMatchObject({
      code: 'profiles/not-found',
      message: 'No profile with id nope'
    })
    await expect(destinations.get('nope')).rejects.toMatchObject({
      code: 'destinations/not-found',
      message: 'No destination with id nope'
    })
    expect(await profiles.delete('nope')).toBe(false)
    expect(await destinations.delete('nope')).toBe(false)
  })
})
