/**
 * The keychain port. Only small secrets go through it (the 32-byte token-cache key), never the
 * token cache itself: Windows Credential Manager caps an entry at 2,560 bytes (reference/auth.md §8).
 */
export interface SecretStore {
  get(name: string): Promise<string | null>
  set(name: string, value: string): Promise<void>
  delete(name: string): Promise<boolean>
}

/** Thrown when the OS keychain cannot be used (no Secret Service, native module missing). */
export class SecretStoreUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretStoreUnavailableError'
  }
}

/** Keeps secrets in memory: for tests, and for the "tokens in memory only" choice. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>()
  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value)
  }
  async delete(name: string): Promise<boolean> {
    return this.values.delete(name)
  }
}
