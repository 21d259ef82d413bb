/**
 * Canonical JSON: object keys sorted, no whitespace. The manifest and acquisition-log entries are
 * written in this form so that their bytes — and therefore their hashes — follow from their
 * content alone, and any byte edit is detectable.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys)
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) {
        out[key] = sortKeys(v)
      }
    }
    return out
  }
  return value
}
