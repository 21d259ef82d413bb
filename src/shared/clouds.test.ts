import { describe, expect, it } from 'vitest'

import { adxClusterCloudMismatch, adxResource, adxScope, CLOUDS } from './clouds'

describe('Azure Data Explorer in the cloud table', () => {
  it('uses the cluster URL origin as the token audience', () => {
    expect(adxResource('https://c1.westeurope.kusto.windows.net/')).toBe(
      'https://c1.westeurope.kusto.windows.net'
    )
    expect(adxScope('https://c1.westeurope.kusto.windows.net')).toBe(
      'https://c1.westeurope.kusto.windows.net/user_impersonation'
    )
  })

  it("names a cluster of another cloud's suffix, and lets other hosts through", () => {
    expect(
      adxClusterCloudMismatch('https://c1.usgovvirginia.kusto.usgovcloudapi.net', CLOUDS.commercial)
    ).toMatch(/of the GCC High cloud, but the sign-in is for Commercial/)
    expect(
      adxClusterCloudMismatch('https://c1.westeurope.kusto.windows.net', CLOUDS.gcc)
    ).toBeUndefined()
    expect(adxClusterCloudMismatch('https://127.0.0.1:4443/kusto', CLOUDS.dod)).toBeUndefined()
  })
})
