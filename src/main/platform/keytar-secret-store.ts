/**
 * The OS keychain through keytar: Windows Credential Manager, macOS Keychain, Secret Service on
 * Linux. keytar is loaded lazily so a missing or broken native module degrades to a clear error
 * (and the in-memory choice) instead of crashing start-up (reference/auth.md §8).
 */
import { SecretStoreUnavailableError, type SecretStore } from '../services/auth/secret-store'

type Keytar = typeof import('keytar')

/** The keychain service name every entry is stored under. */
export const KEYCHAIN_SERVICE = 'com.connectorauditexplorer.app'

/** A {@link SecretStore} backed by keytar. */
export class KeytarSecretStore implements SecretStore {
  private keytar: Promise<Keytar> | undefined

  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  async get(name: string): Promise<string | null> {
    const keytar = await this.load()
    return this.guard(() => keytar.getPassword(this.service, name))
  }

  async set(name: string, value: string): Promise<void> {
    const keytar = await this.load()
    await this.guard(() => keytar.setPassword(this.service, name, value))
  }

  async delete(name: string): Promise<boolean> {
    const keytar = await this.load()
    return this.guard(() => keytar.deletePassword(this.service, name))
  }

  private load(): Promise<Keytar> {
    this.keytar ??= import('keytar')
      .then((m) => ((m as { default?: Keytar }).default ?? m) as Keytar)
      .catch((error: unknown) => {
        this.keytar = undefined
        throw new SecretStoreUnavailableError(
          `The OS keychain module could not be loaded (${(error as Error).message.split('\n')[0]}).`
        )
      })
    return this.keytar
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation()
    } catch (error) {
      // libsecret reports a missing Secret Service or a locked keyring as a plain Error.
      throw new SecretStoreUnavailableError(
        `The OS keychain is not available: ${(error as Error).message.split('\n')[0]}`
      )
    }
  }
}
