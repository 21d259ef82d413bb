/**
 * The governance worker's logic, free of worker plumbing so it runs under Vitest with
 * fake-indexeddb: folds the cache's column chunks into a {@link GovernanceFold} (resources,
 * sharing, actor history) chunk by chunk — the first time over the whole cache, then only the
 * chunks committed since — and answers resource rows, findings and timelines from the fold.
 *
 * Records are rebuilt from the column chunks without their raw text: the fold reads the stored
 * columns and only the flattened fields it needs ({@link GOVERNANCE_FIELD_KEYS}).
 */
import type { NormalizedRecord } from '../../../shared/audit'
import { readColumns } from '../../../shared/cache/stored-chunk'
import {
  GovernanceFold,
  parseGovernanceSettings,
  POLICY_NAME_FIELDS,
  resourceKey
} from '../../../shared/governance'
import type {
  FindingResult,
  GovernanceSettings,
  ResourceRow,
  TimelineEntry
} from '../../../shared/governance'
import type { AppDb } from '../db/app-db'
import {
  assembleRecord,
  COLUMN_SLOT,
  type ColumnChunk,
  type StoredTextColumn
} from '../db/record-chunk'

/** Flattened fields the fold reads: the actor's object id and the data policy's name. */
export const GOVERNANCE_FIELD_KEYS: ReadonlySet<string> = new Set([
  'enduser.id',
  ...POLICY_NAME_FIELDS
])

/** Column chunks read per IndexedDB request. */
const LOAD_CHUNKS = 8

/** How far the fold is. */
export interface GovernanceProgress {
  /** Records folded so far. */
  folded: number
  /** Records in the cache (as far as known). */
  total: number
  isDone: boolean
}

/** Resource rows and findings of the whole cache. */
export interface GovernanceOverview {
  progress: GovernanceProgress
  rows: ResourceRow[]
  findings: FindingResult[]
  /** Connector records that name no resource. */
  unattributed: { recordId: string; reason: string }[]
  /** Time spent computing rows and findings, in ms. */
  tookMs: number
}

/** One resource: its row and every event in order. */
export interface ResourceDetail {
  row: ResourceRow | null
  timeline: TimelineEntry[]
}

/**
 * The stored columns the fold reads (resources, principals, actor history); the others are left
 * empty in the records it is given. The engine's tests check it answers what the fold answers over
 * whole records.
 */
const FOLD_COLUMNS = [
  'id',
  'operation',
  'userId',
  'userKey',
  'clientIp',
  'organizationId',
  'activity',
  'environment',
  'environmentName',
  'action',
  'resource',
  'resourceName',
  'connector',
  'permissionType',
  'targetUserId'
] as const satisfies readonly StoredTextColumn[]

type FoldColumn = (typeof FOLD_COLUMNS)[number]

/** Folds every record of a column chunk. */
export function foldChunk(fold: GovernanceFold, chunk: ColumnChunk): void {
  const values = (chunk.pool + (chunk.widePool ?? '')).split('\u0000')
  const wanted = chunk.keys.map((key) => GOVERNANCE_FIELD_KEYS.has(key))
  const count = chunk.count
  const codes = chunk.codes
  const offset = Object.fromEntries(
    FOLD_COLUMNS.map((column) => [column, COLUMN_SLOT[column] * count])
  ) as Record<FoldColumn, number>
  const text = (column: FoldColumn, i: number): string => values[codes[offset[column] + i]!] ?? ''
  for (let i = 0; i < count; i++) {
    const fields: Record<string, string> = {}
    for (let p = chunk.pairStart[i]!; p < chunk.pairStart[i + 1]!; p++) {
      const key = chunk.pairKey[p]!
      if (wanted[key]) {
        fields[chunk.keys[key]!] = values[chunk.pairValue[p]!] ?? ''
      }
    }
    const userType = chunk.userType[i]!
    const record: NormalizedRecord = {
      ...EMPTY_RECORD,
      id: text('id', i),
      createdAtMs: chunk.times[i]!,
      operation: text('operation', i),
      userId: text('userId', i),
      userKey: text('userKey', i),
      userType: Number.isNaN(userType) ? null : userType,
      clientIp: text('clientIp', i),
      organizationId: text('organizationId', i),
      activity: text('activity', i),
      isConnectorEvent: (chunk.flags[i]! & 4) !== 0,
      environment: text('environment', i),
      environmentName: text('environmentName', i),
      action: text('action', i),
      resource: text('resource', i),
      resourceName: text('resourceName', i),
      connector: text('connector', i),
      permissionType: text('permissionType', i),
      targetUserId: text('targetUserId', i),
      fields
    }
    fold.add(record)
  }
}

/** The columns the fold does not read, empty. */
const EMPTY_RECORD: NormalizedRecord = {
  ...assembleRecord(() => '', 0, NaN, NaN, 0, {}),
  raw: '',
  warnings: [],
  provenance: null
}

export class GovernanceEngine {
  private fold = new GovernanceFold()
  private loadedChunks = 0
  private total = 0
  private isDone = false
  private loading: Promise<GovernanceProgress> | null = null
  private isStale = false
  /** Settings parsed once per distinct input, so the fold's row cache keeps its key. */
  private settings: { key: string; value: GovernanceSettings } | null = null
  private overviewCache: { key: string; version: number; value: GovernanceOverview } | null = null
  private version = 0
  private folded = 0

  constructor(private readonly db: AppDb) {}

  /** Where folding stands. */
  progress(): GovernanceProgress {
    return { folded: this.folded, total: Math.max(this.total, this.folded), isDone: this.isDone }
  }

  /** Forgets everything (the cache was cleared). */
  reset(): void {
    this.fold = new GovernanceFold()
    this.loadedChunks = 0
    this.total = 0
    this.folded = 0
    this.isDone = false
    this.overviewCache = null
    this.version += 1
  }

  /** Folds every chunk committed since the last load; concurrent calls share one pass. */
  load(onProgress?: (progress: GovernanceProgress) => void): Promise<GovernanceProgress> {
    if (this.loading) {
      this.isStale = true
      return this.loading
    }
    this.loading = (async () => {
      let progress = await this.loadNew(onProgress)
      while (this.isStale) {
        this.isStale = false
        progress = await this.loadNew(onProgress)
      }
      return progress
    })().finally(() => (this.loading = null))
    return this.loading
  }

  private async loadNew(
    onProgress?: (progress: GovernanceProgress) => void
  ): Promise<GovernanceProgress> {
    this.isDone = false
    const meta = await this.db.cacheMeta()
    if (meta.chunks < this.loadedChunks) {
      // Cleared and refilled since the last pass: start over.
      this.reset()
    }
    this.total = Math.max(this.total, meta.rows)
    while (this.loadedChunks < meta.chunks) {
      const chunks = await Promise.all(
        (
          await this.db.columns
            .where('n')
            .between(
              this.loadedChunks,
              Math.min(meta.chunks, this.loadedChunks + LOAD_CHUNKS),
              true
            )
            .toArray()
        ).map(readColumns)
      )
      if (chunks.length === 0) {
        break
      }
      for (const chunk of chunks) {
        foldChunk(this.fold, chunk)
        this.folded += chunk.count
      }
      this.loadedChunks += chunks.length
      this.version += 1
      if (this.loadedChunks < meta.chunks) {
        onProgress?.(this.progress())
      }
    }
    this.isDone = true
    return this.progress()
  }

  private parsed(input: unknown): GovernanceSettings {
    const key = JSON.stringify(input ?? {})
    if (this.settings?.key !== key) {
      this.settings = { key, value: parseGovernanceSettings(input) }
    }
    return this.settings.value
  }

  /** Resource rows and findings over everything folded so far (cached until the fold changes). */
  overview(settingsInput: unknown): GovernanceOverview {
    const settings = this.parsed(settingsInput)
    const key = this.settings?.key ?? ''
    if (this.overviewCache?.key === key && this.overviewCache.version === this.version) {
      return { ...this.overviewCache.value, progress: this.progress() }
    }
    const started = performance.now()
    const rows = this.fold.rows(settings)
    const findings = this.fold.findings(settings)
    const value: GovernanceOverview = {
      progress: this.progress(),
      rows,
      findings,
      unattributed: [...this.fold.index.unattributedRecords()],
      tookMs: performance.now() - started
    }
    this.overviewCache = { key, version: this.version, value }
    return value
  }

  /** One resource's row and timeline. */
  detail(resourceId: string, settingsInput: unknown): ResourceDetail {
    const settings = this.parsed(settingsInput)
    const key = resourceKey(resourceId)
    return {
      row: this.fold.index.row(key, settings),
      timeline: this.fold.index.timeline(key, settings)
    }
  }
}
