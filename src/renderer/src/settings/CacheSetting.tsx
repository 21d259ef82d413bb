import { useCallback, useEffect, useState } from 'react'

import type { AppDb } from '../db/app-db'
import { formatBytes, storageEstimate, type StorageFigures } from '../db/commit-outcome'

interface Props {
  db: AppDb
}

interface CacheFigures {
  records: number
  storage: StorageFigures | null
  isPersisted: boolean | null
}

async function readFigures(db: AppDb): Promise<CacheFigures> {
  const storage = navigator.storage as StorageManager | undefined
  const [records, estimate, isPersisted] = await Promise.all([
    db.countRecords(),
    storageEstimate(),
    storage && typeof storage.persisted === 'function' ? storage.persisted() : null
  ])
  return { records, storage: estimate, isPersisted }
}

/**
 * Settings → Cache: how many records the cache holds and what it takes on disk
 * (navigator.storage.estimate()), whether the browser keeps it persistently, and a button that
 * clears the cached records (saved filters, annotations and settings stay).
 */
export function CacheSetting({ db }: Props): React.JSX.Element {
  const [figures, setFigures] = useState<CacheFigures | null>(null)
  const [isConfirming, setIsConfirming] = useState(false)
  const [isClearing, setIsClearing] = useState(false)

  const refresh = useCallback(() => readFigures(db).then(setFigures), [db])
  useEffect(() => {
    void refresh()
  }, [refresh])

  async function clear(): Promise<void> {
    setIsClearing(true)
    await db.clearRecords()
    setIsClearing(false)
    setIsConfirming(false)
    await refresh()
  }

  const storage = figures?.storage
  return (
    <section className="settings-section" aria-labelledby="settings-cache-title">
      <h2 id="settings-cache-title">Cache</h2>
      <p data-testid="cache-size" data-usage={figures?.storage?.usage ?? ''}>
        {figures === null
          ? 'Measuring the cache…'
          : `${figures.records.toLocaleString()} records; ` +
            (storage?.usage !== undefined
              ? `${formatBytes(storage.usage)} on disk` +
                (storage.quota !== undefined
                  ? ` (this browser allows ${formatBytes(storage.quota)})`
                  : '')
              : 'size on disk unknown')}
      </p>
      <p className="field-help">
        {figures?.isPersisted === true
          ? 'Stored persistently: the browser will not evict it when space runs low.'
          : figures?.isPersisted === false
            ? 'Not marked persistent: the browser may evict the cache when the disk runs low.'
            : ''}
      </p>
      {isConfirming ? (
        <p>
          Remove every cached record, its duplicate counts and the sync ledger? Saved filters,
          annotations and settings stay.{' '}
          <button type="button" disabled={isClearing} onClick={() => void clear()}>
            {isClearing ? 'Clearing…' : 'Yes, clear the cache'}
          </button>{' '}
          <button type="button" disabled={isClearing} onClick={() => setIsConfirming(false)}>
            Keep it
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => setIsConfirming(true)}>
          Clear cache…
        </button>
      )}
    </section>
  )
}
