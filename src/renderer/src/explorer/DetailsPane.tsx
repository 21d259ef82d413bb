import { useEffect, useRef, useState } from 'react'

import { describeField } from '../../../shared/audit'
import { normalizeTags, type AppDb, type RecordRow } from '../db/app-db'

import { itemOf } from './item-of'
import { orderDetailFields } from './detail-order'
import { formatTime, type TimeZoneMode } from './explorer-columns'

export interface DetailsPaneProps {
  db: AppDb
  /** The record shown; the parent remounts the pane (key) when it changes. */
  recordId: string
  timeZone: TimeZoneMode
  position: string
  onPrevious(): void
  onNext(): void
  onClose(): void
  /** Takes the keyboard focus when shown (the user moved into the pane with `d`). */
  autoFocus?: boolean
}

function pretty(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    return raw
  }
}

function CopyButton({ text, label }: { text: string; label: string }): React.JSX.Element {
  const [copied, setCopied] = useState(false)
  return (
    <button
      type="button"
      className="copy-button"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false)
        )
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  )
}

/** Every field of the selected record, explained, with its raw JSON, tags and comment. */
export function DetailsPane(props: DetailsPaneProps): React.JSX.Element {
  const { db, recordId, timeZone, position, onPrevious, onNext, onClose, autoFocus } = props
  const paneRef = useRef<HTMLElement | null>(null)
  useEffect(() => {
    if (autoFocus) {
      paneRef.current?.focus()
    }
  }, [autoFocus])
  const [record, setRecord] = useState<RecordRow | null | undefined>(undefined)
  const [tags, setTags] = useState('')
  const [comment, setComment] = useState('')
  const [saved, setSaved] = useState<string | null>(null)

  useEffect(() => {
    let isActive = true
    void Promise.all([db.getRecord(recordId), db.annotation(recordId)]).then(([row, note]) => {
      if (isActive) {
        setRecord(row ?? null)
        setTags(note.tags.join(', '))
        setComment(note.comment)
      }
    })
    return () => {
      isActive = false
    }
  }, [db, recordId])

  async function save(): Promise<void> {
    await db.setAnnotation(recordId, normalizeTags(tags.split(',')), comment)
    setSaved(`Saved ${new Date().toLocaleTimeString()}`)
  }

  const fields = record ? orderDetailFields(record.fields) : { documented: [], others: [] }
  return (
    <aside
      ref={paneRef}
      className="explorer-details"
      aria-label="Record details"
      tabIndex={-1}
      aria-keyshortcuts="D Escape"
    >
      <div className="explorer-toolbar">
        <h2>Record details</h2>
        <span className="muted">{position}</span>
        <button
          type="button"
          onClick={onPrevious}
          aria-label="Previous record"
          title="Previous (k or ↑)"
        >
          ↑
        </button>
        <button type="button" onClick={onNext} aria-label="Next record" title="Next (j or ↓)">
          ↓
        </button>
        <button type="button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </div>
      {record === undefined && <p className="muted">Loading…</p>}
      {record === null && <p>This record is no longer in the cache.</p>}
      {record && (
        <>
          <dl className="details-fields" aria-label="Activity details">
            <dt>Date</dt>
            <dd>
              {formatTime(record.createdAtMs, 'utc')} UTC
              {timeZone === 'local' && (
                <span className="field-help">{formatTime(record.createdAtMs, 'local')} local</span>
              )}
            </dd>
            <dd aria-hidden="true" />
            <dt>IP address</dt>
            <dd>{record.clientIp}</dd>
            <dd aria-hidden="true" />
            <dt>Users</dt>
            <dd>{record.userId}</dd>
            <dd aria-hidden="true" />
            <dt>Activity</dt>
            <dd>
              {record.activity} <span className="field-help">{record.category}</span>
            </dd>
            <dd aria-hidden="true" />
            <dt>Item</dt>
            <dd>{itemOf(record)}</dd>
            <dd aria-hidden="true" />
          </dl>

          <h2>Fields</h2>
          {/* The documented activity details first, in their documented order, then the rest. */}
          <dl className="details-fields" aria-label="Fields">
            {[...fields.documented, ...fields.others].map(([key, value]) => {
              const info = describeField(key)
              return (
                <div key={key} style={{ display: 'contents' }}>
                  <dt title={key}>
                    {key}
                    <span className="field-help">{info.description}</span>
                  </dt>
                  <dd>{value}</dd>
                  <CopyButton text={value} label={`Copy ${key}`} />
                </div>
              )
            })}
          </dl>

          <h2>Annotation</h2>
          <form
            className="annotation-form"
            aria-label="Annotation"
            onSubmit={(e) => {
              e.preventDefault()
              void save()
            }}
          >
            <label className="explorer-inline">
              Tags
              <input
                value={tags}
                onChange={(e) => setTags(e.target.value)}
                placeholder="comma, separated"
              />
            </label>
            <label className="explorer-inline">
              Comment
              <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
            </label>
            <div className="actions">
              <button type="submit" className="primary">
                Save annotation
              </button>
              {saved && (
                <span className="muted" role="status">
                  {saved}
                </span>
              )}
            </div>
          </form>

          <h2>Raw record</h2>
          <div className="actions">
            <CopyButton text={record.raw} label="Copy raw record" />
          </div>
          <pre className="details-raw" aria-label="Raw record">
            {pretty(record.raw)}
          </pre>
        </>
      )}
    </aside>
  )
}
