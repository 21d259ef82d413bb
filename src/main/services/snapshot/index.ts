/**
 * Snapshot file I/O (zip through yazl/yauzl) on top of the shared format in src/shared/snapshot.
 */
export { nodeSha256 } from './node-sha256'
export {
  REQUIRED_SNAPSHOT_PARTS,
  SnapshotFormatError,
  SnapshotReader,
  verifySnapshot
} from './snapshot-reader'
export { writeSnapshot } from './snapshot-writer'
export type { SnapshotContent, SnapshotWriteResult } from './snapshot-writer'
export { ZipReader } from './zip-reader'
export {
  ACQUISITION_LOG_FILE,
  appendAcquisitionLog,
  readAcquisitionLog
} from './acquisition-log-file'
