import { describe, expect, it } from 'vitest'

import { movesTokens, ProfileInput, type Profile } from './profiles'

const base: Profile = {
  id: 'p1',
  displayName: 'Contoso',
  tenant: 'contoso.onmicrosoft.com',
  clientId: '5d1f0a4e-2222-4333-8444-955556666777',
  cloud: 'commercial',
  signInMode: 'interactive',
  accountHomeId: 'uid.utid',
  endpoints: {
    authorityHost: 'https://127.0.0.1:1',
    managementApiBase: 'https://127.0.0.1:1/manage',
    graphBase: 'https://127.0.0.1:1/graph'
  }
}

describe('profiles', () => {
  it('a change of tenant, app, cloud or any endpoint moves the tokens; a rename does not', () => {
    expect(movesTokens(base, { ...base, displayName: 'x' } as Profile)).toBe(false)
    expect(movesTokens(base, { ...base, tenant: 'CONTOSO.onmicrosoft.com' })).toBe(false)
    expect(movesTokens(base, { ...base, tenant: 'fabrikam.onmicrosoft.com' })).toBe(true)
    expect(movesTokens(base, { ...base, clientId: '00000000-2222-4333-8444-955556666777' })).toBe(
      true
    )
    expect(movesTokens(base, { ...base, cloud: 'gcc' })).toBe(true)
    expect(movesTokens(base, { ...base, endpoints: undefined })).toBe(true)
    for (const key of ['authorityHost', 'managementApiBase', 'graphBase'] as const) {
      const endpoints = { ...base.endpoints!, [key]: 'https://127.0.0.1:2/x' }
      expect(movesTokens(base, { ...base, endpoints }), key).toBe(true)
    }
  })

  it('the UI-side input has no endpoints and no demo flag', () => {
    const input = { ...base, id: undefined, accountHomeId: undefined, isDemo: true }
    expect(ProfileInput.strict().safeParse(input).success).toBe(false)
    const parsed = ProfileInput.parse(input)
    expect(parsed).not.toHaveProperty('endpoints')
    expect(parsed).not.toHaveProperty('isDemo')
  })
})
