import type { Governance } from './use-governance'

/** How far the governance worker is: folding the cache, or done, with what it rests on. */
export function GovernanceStatus({ governance }: { governance: Governance }): React.JSX.Element {
  const { progress, overview, error } = governance
  if (error) {
    return (
      <span className="notice" role="alert">
        {error}
      </span>
    )
  }
  if (!progress) {
    return (
      <span className="muted" role="status" data-testid="governance-status">
        Reading the cache…
      </span>
    )
  }
  const isDone = progress.isDone && overview !== null && overview.progress.isDone
  return (
    <span
      className="muted"
      role="status"
      data-testid="governance-status"
      data-done={isDone ? 'true' : 'false'}
      data-folded={overview?.progress.folded ?? 0}
    >
      {isDone
        ? `From all ${progress.folded.toLocaleString()} cached records`
        : `Reading the cache: ${progress.folded.toLocaleString()} of ${progress.total.toLocaleString()} records so far…`}
    </span>
  )
}
