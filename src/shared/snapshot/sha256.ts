/**
 * SHA-256 as a port. WebCrypto's `crypto.subtle.digest` cannot hash incrementally, and snapshot
 * parts are streamed, so the format logic takes an incremental hasher from its caller: Node's
 * `crypto.createHash('sha256')` in main and the CLI; a library hasher in a browser.
 */

/** An incremental SHA-256. */
export interface Sha256 {
  update(bytes: Uint8Array): void
  /** The digest as 64 lower-case hex characters; the hasher is finished afterwards. */
  digestHex(): string
}

/** Makes a fresh incremental SHA-256. */
export type Sha256Factory = () => Sha256

const encoder = new TextEncoder()

/** SHA-256 (hex) of the UTF-8 bytes of `text`. */
export function sha256HexOfText(text: string, sha256: Sha256Factory): string {
  const h = sha256()
  h.update(encoder.encode(text))
  return h.digestHex()
}

/** SHA-256 (hex) of bytes with WebCrypto, for whole buffers where no factory is at hand. */
export async function subtleSha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}
