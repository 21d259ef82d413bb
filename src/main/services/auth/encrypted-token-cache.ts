/**
 * The MSAL cache plugin: the serialized token cache is kept AES-256-GCM encrypted in a file in the
 * data folder; the random 32-byte key is the only thing in the OS keychain (reference/auth.md §7).
 *
 * File layout: 0x01 (format) ‖ 12-byte IV ‖ 16-byte tag ‖ ciphertext, AAD "<service>/token-cache/v1".
 * A tampered or undecryptable file, or a file whose key is gone, is deleted and the user signs in
 * again; the contents are never logged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node'

import type { Logger } from '../logging/logger'

import type { SecretStore } from './secret-store'

const FORMAT = 0x01
const IV_BYTES = 12
const TAG_BYTES = 16
/** The keychain entry holding the base64 cache key. */
export const CACHE_KEY_NAME = 'token-cache-key'
const AAD = Buffer.from('connector-audit-explorer/token-cache/v1')

/** Encrypts a serialized cache. Exported for tests. */
export function encryptCache(plain: string, key: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(AAD)
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body])
}

/** Decrypts a cache file; throws on any tampering, truncation or wrong key. Exported for tests. */
export function decryptCache(data: Buffer, key: Buffer): string {
  if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT) {
    throw new Error('not a token cache file of a known format')
  }
  const iv = data.subarray(1, 1 + IV_BYTES)
  const tag = data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES)
  const decipher = createDecipheriv('aes-256-gcm', key, iv)
  decipher.setAAD(AAD)
  decipher.setAuthTag(tag)
  return Buffer.concat([
    decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)),
    decipher.final()
  ]).toString('utf8')
}

/** An {@link ICachePlugin} persisting MSAL's cache encrypted with a keychain-held key. */
export class EncryptedTokenCache implements ICachePlugin {
  private key: Buffer | undefined
  /** The plaintext of the file as of `mtimeMs`, so an unchanged file is not decrypted again. */
  private loaded: { mtimeMs: number; plain: string } | undefined

  constructor(private readonly deps: { file: string; secrets: SecretStore; log: Logger }) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const { file, log } = this.deps
    let mtimeMs: number
    try {
      mtimeMs = (await stat(file)).mtimeMs
    } catch {
      return // no file yet: an empty cache
    }
    // MSAL clears its memory and re-reads the snapshot around every access (TokenCache.overwriteCache),
    // so always deserialize; only the file read and decryption are skipped when nothing changed.
    if (this.loaded?.mtimeMs === mtimeMs) {
      context.tokenCache.deserialize(this.loaded.plain)
      return
    }
    const key = await this.readKey()
    if (!key) {
      await this.discard('its key is missing from the keychain')
      return
    }
    try {
      const plain = decryptCache(await readFile(file), key)
      context.tokenCache.deserialize(plain)
      this.loaded = { mtimeMs, plain }
    } catch {
      log.warn(
        '[auth] the token cache could not be decrypted (changed or damaged); signing in again'
      )
      await this.discard('it could not be decrypted')
    }
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) {
      return
    }
    const key = (await this.readKey()) ?? (await this.createKey())
    const plain = context.tokenCache.serialize()
    const data = encryptCache(plain, key)
    const { file } = this.deps
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    const temp = `${file}.${process.pid}.tmp`
    const handle = await open(temp, 'w', 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
    this.loaded = { mtimeMs: (await stat(file)).mtimeMs, plain }
  }

  /** "Forget all accounts": deletes the file and the key. */
  async forgetAll(): Promise<void> {
    await rm(this.deps.file, { force: true })
    await this.deps.secrets.delete(CACHE_KEY_NAME)
    this.key = undefined
    this.loaded = undefined
  }

  private async readKey(): Promise<Buffer | undefined> {
    if (this.key) {
      return this.key
    }
    const stored = await this.deps.secrets.get(CACHE_KEY_NAME)
    const key = stored ? Buffer.from(stored, 'base64') : undefined
    if (key && key.length === 32) {
      this.key = key
    }
    return this.key
  }

  private async createKey(): Promise<Buffer> {
    const key = randomBytes(32)
    await this.deps.secrets.set(CACHE_KEY_NAME, key.toString('base64'))
    this.key = key
    return key
  }

  private async discard(reason: string): Promise<void> {
    this.deps.log.warn(`[auth] token cache discarded: ${reason}`)
    await rm(this.deps.file, { force: true })
    this.loaded = undefined
  }
}
