import type { ReviewPackDone } from './review-pack-runner'

/** Where a review pack went and the snapshot fingerprint it ties back to. */
export function ReviewPackNotice({
  pack,
  onClose
}: {
  pack: ReviewPackDone
  onClose(): void
}): React.JSX.Element {
  return (
    <div
      className="sync-result"
      role="status"
      data-testid="review-pack"
      data-xlsx={pack.xlsxPath}
      data-html={pack.htmlPath}
      data-snapshot={pack.snapshotPath}
      data-fingerprint={pack.fingerprint}
    >
      Review pack of {pack.records.toLocaleString()} records ({pack.resources.toLocaleString()}{' '}
      resources, {pack.findings.toLocaleString()} findings) written to <code>{pack.xlsxPath}</code>{' '}
      and <code>{pack.htmlPath}</code>. It is made from the snapshot{' '}
      <code>{pack.snapshotPath}</code>, fingerprint <code>{pack.fingerprint}</code>: hand the
      reviewer all three, or the snapshot and its fingerprint to check (cax verify --expect).{' '}
      <button type="button" onClick={onClose}>
        Dismiss
      </button>
    </div>
  )
}
