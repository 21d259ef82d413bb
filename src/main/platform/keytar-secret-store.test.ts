import { randomUUID } from 'node:crypto'

import { describe, expect, it } from 'vitest'

import { SecretStoreUnavailableError } from '../services/auth/secret-store'

import { KeytarSecretStore } from './keytar-secret-store'

// Needs a real Secret Service: scripts/test.sh runs the tests inside dbus-run-session with an
// unlocked GNOME Keyring and sets CAX_KEYCHAIN_TESTS=1 (reference/auth.md §8).
const hasKeyring = process.env['CAX_KEYCHAIN_TESTS'] === '1'

describe.skipIf(!hasKeyring)('KeytarSecretStore against a real Secret Service', () => {
  it('stores, reads and deletes a secret', async () => {
    const store = new KeytarSecretStore(`cax-test-${randomUUID()}`)
    const name = 'token-cache-key'
    const value = Buffer.alloc(32, 7).toString('base64')
    await expect(store.get(name)).resolves.toBeNull()
    await store.set(name, value)
    await expect(store.get(name)).resolves.toBe(value)
    // A second instance (an app restart) sees the same entry.
    await expect(new KeytarSecretStore(store['service']).get(name)).resolves.toBe(value)
    await expect(store.delete(name)).resolves.toBe(true)
    await expect(store.get(name)).resolves.toBeNull()
    await expect(store.delete(name)).resolves.toBe(false)
  })
})

describe.skipIf(hasKeyring)('KeytarSecretStore without a Secret Service', () => {
  it('fails with SecretStoreUnavailableError, never a crash or a silent success', async () => {
    const store = new KeytarSecretStore(`cax-test-${randomUUID()}`)
    const env = process.env['DBUS_SESSION_BUS_ADDRESS']
    process.env['DBUS_SESSION_BUS_ADDRESS'] = 'unix:path=/nonexistent/bus'
    try {
      await expect(store.set('k', 'v')).rejects.toBeInstanceOf(SecretStoreUnavailableError)
    } finally {
      if (env === undefined) {
        delete process.env['DBUS_SESSION_BUS_ADDRESS']
      } else {
        process.env['DBUS_SESSION_BUS_ADDRESS'] = env
      }
    }
  })
})
