/**
 * A minimal zip writer for tests that need a container no honest writer makes: sizes in the
 * headers that lie, overlapping entries, thousands of entries, a huge run of zeros deflated into
 * a few KB. Test support only (like shared/export/test-records.ts); the app writes with yazl.
 */
import { deflateRawSync } from 'node:zlib'

/** One entry as it will be written. */
export interface RawEntry {
  name: string
  /** The bytes stored in the file (already deflated when `method` is 8). */
  data: Buffer
  /** 8 deflate (default) or 0 stored. */
  method?: number
  /** The uncompressed size the headers declare (default: the true size for deflated `plain`). */
  declaredSize: number
  /** Write this entry's data at the same offset as entry `overlapWith` (index) instead of its own. */
  overlapWith?: number
}

/** An entry holding `plain`, deflated, declaring its true size. */
export function deflatedEntry(name: string, plain: Buffer | string): RawEntry {
  const bytes = typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain
  return { name, data: deflateRawSync(bytes), declaredSize: bytes.length }
}

const U32_MAX = 0xffffffff

/** Builds the zip bytes (CRC fields are 0: yauzl does not check them; SHA-256 does the job). */
export function buildRawZip(entries: readonly RawEntry[]): Buffer {
  const chunks: Buffer[] = []
  let offset = 0
  const offsets: number[] = []
  const central: Buffer[] = []
  entries.forEach((entry, index) => {
    const name = Buffer.from(entry.name, 'utf8')
    const isZip64 = entry.declaredSize >= U32_MAX
    const zip64 = Buffer.alloc(isZip64 ? 4 + 8 : 0)
    if (isZip64) {
      zip64.writeUInt16LE(0x0001, 0)
      zip64.writeUInt16LE(8, 2)
      zip64.writeBigUInt64LE(BigInt(entry.declaredSize), 4)
    }
    const sizeField = isZip64 ? U32_MAX : entry.declaredSize
    let headerOffset: number
    if (entry.overlapWith !== undefined) {
      headerOffset = offsets[entry.overlapWith] ?? 0
    } else {
      headerOffset = offset
      const local = Buffer.alloc(30)
      local.writeUInt32LE(0x04034b50, 0)
      local.writeUInt16LE(isZip64 ? 45 : 20, 4)
      local.writeUInt16LE(0x0800, 6)
      local.writeUInt16LE(entry.method ?? 8, 8)
      local.writeUInt32LE(entry.data.length, 18)
      local.writeUInt32LE(sizeField, 22)
      local.writeUInt16LE(name.length, 26)
      local.writeUInt16LE(zip64.length, 28)
      chunks.push(local, name, zip64, entry.data)
      offset += local.length + name.length + zip64.length + entry.data.length
    }
    offsets[index] = headerOffset
    const record = Buffer.alloc(46)
    record.writeUInt32LE(0x02014b50, 0)
    record.writeUInt16LE(45, 4)
    record.writeUInt16LE(isZip64 ? 45 : 20, 6)
    record.writeUInt16LE(0x0800, 8)
    record.writeUInt16LE(entry.method ?? 8, 10)
    const stored = entry.overlapWith !== undefined ? entries[entry.overlapWith]! : entry
    record.writeUInt32LE(stored.data.length, 20)
    record.writeUInt32LE(sizeField, 24)
    record.writeUInt16LE(name.length, 28)
    record.writeUInt16LE(zip64.length, 30)
    record.writeUInt32LE(headerOffset, 42)
    central.push(record, name, zip64)
  })
  const centralBytes = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(centralBytes.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...chunks, centralBytes, end])
}
