/** The bytes (UTF-8 / ASCII code units) that give JSON text its structure, for byte scanners. */
export const JSON_BYTE = {
  QUOTE: 0x22,
  BACKSLASH: 0x5c,
  COMMA: 0x2c,
  NEWLINE: 0x0a,
  OPEN_BRACKET: 0x5b,
  CLOSE_BRACKET: 0x5d,
  OPEN_BRACE: 0x7b,
  CLOSE_BRACE: 0x7d
} as const

/** Whether `b` is JSON whitespace (space, line feed, carriage return, tab). */
export function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
}
