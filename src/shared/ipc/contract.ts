import { z } from 'zod'

import { LedgerDeltaSchema, LedgerSchema } from '../acquisition'
import type { NormalizedRecord } from '../audit'
import type { Result } from '../errors'
import {
  Destination,
  DestinationInput,
  SendProgress,
  SendScope,
  SendSummary
} from '../destinations'
import { GovernanceSettingsSchema } from '../governance/governance-settings'
import {
  AuthState,
  ConnectionCheck,
  DeviceCodePrompt,
  Profile,
  ProfileInput,
  SignInMode,
  TokenStorage
} from '../profiles'
import { SnapshotManifest } from '../snapshot/manifest'

/**
 * The one API contract between the UI and the main process.
 *
 * Every call is `domain:action` (kebab-case) with a zod schema for its single input object and
 * for its output; every push from main is `domain:did-x`. Both transports (Electron IPC and the
 * browser shell's HTTP) parse inputs with these schemas, and the {@link AppApi} type the preload
 * and the HTTP client implement is derived from this file: adding a channel here makes the
 * compiler demand its handler and its preload method.
 */

/** Where the UI is running. */
export const Shell = z.enum(['desktop', 'browser'])
export type Shell = z.infer<typeof Shell>

/** Facts about the running app shown in the frame and the About box. */
export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  shell: Shell,
  platform: z.string(),
  electronVersion: z.string().nullable(),
  nodeVersion: z.string()
})
export type AppInfo = z.infer<typeof AppInfo>

/** Colour theme: follow the operating system, or force one. */
export const ThemePreference = z.enum(['system', 'light', 'dark'])
export type ThemePreference = z.infer<typeof ThemePreference>

/**
 * Update checks: `automatic` (check at start-up and every few hours, install on quit) or `off`.
 * Defaults to `automatic` (see DEFAULT_SETTINGS); a machine-wide policy can force `off`.
 */
export const UpdatesPreference = z.enum(['automatic', 'off'])
export type UpdatesPreference = z.infer<typeof UpdatesPreference>

/** Non-secret user settings. */
export const Settings = z.object({
  theme: ThemePreference,
  updates: UpdatesPreference
})
export type Settings = z.infer<typeof Settings>

/** An input that takes no arguments: `{}` and nothing else. */
const NoInput = z.object({}).strict()

const ProfileRef = z.object({ profileId: z.string().min(1).max(64) }).strict()
const JobRef = z.object({ jobId: z.string().min(1).max(64) }).strict()
const IsoDate = z.iso.datetime({ offset: true })

/**
 * Records pushed from main to the window that commits them. Main built them with the normalizer;
 * only the shape is checked here, so pushing a batch does not re-validate every field.
 */
const RecordBatch = z.array(
  z.custom<NormalizedRecord>(
    (v) => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string'
  )
)

/**
 * Records handed from main to the window that commits them (sync, audit-file import, snapshot
 * import): encoded as the cache's chunks and packed, one byte array a chunk
 * (src/shared/cache/packed-chunk.ts). The window checks every length and code when it unpacks.
 */
/**
 * Packed chunks of records (src/shared/cache/packed-chunk.ts): bytes over Electron's IPC; in the
 * browser shell the page fetches each as a Blob (src/renderer/src/api/http-api.ts).
 */
const PackedChunks = z
  .array(
    z.custom<Uint8Array | Blob>(
      (v) => v instanceof Uint8Array || (typeof Blob !== 'undefined' && v instanceof Blob),
      'a packed chunk (bytes or a Blob)'
    )
  )
  .max(256)

/** Counts and state of a running sync, as the engine reports them. */
export const SyncProgressSchema = z.object({
  phase: z.enum(['subscribing', 'listing', 'downloading', 'querying', 'done']),
  window: z
    .object({
      source: z.enum(['management', 'graph', 'workspace', 'adx']),
      contentType: z.string(),
      start: z.string(),
      end: z.string()
    })
    .nullable(),
  windowsPlanned: z.number(),
  windowsDone: z.number(),
  blobsListed: z.number(),
  blobsDone: z.number(),
  blobsFailed: z.number(),
  blobsExpired: z.number(),
  blobsSkipped: z.number(),
  records: z.number(),
  new: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  requests: z.number(),
  throttle: z.object({
    isThrottled: z.boolean(),
    events: z.number(),
    resumesAt: z.string().nullable()
  })
})
export type SyncProgress = z.infer<typeof SyncProgressSchema>

/** What a finished sync did. */
export const SyncSummarySchema = z.object({
  records: z.number(),
  new: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  gaps: z.number(),
  windows: z.object({ complete: z.number(), partial: z.number(), failed: z.number() }),
  blobs: z.object({
    listed: z.number(),
    done: z.number(),
    failed: z.number(),
    expired: z.number(),
    skipped: z.number()
  }),
  requests: z.number(),
  throttleEvents: z.number(),
  errors: z.array(z.object({ code: z.string(), message: z.string() }))
})
export type SyncSummary = z.infer<typeof SyncSummarySchema>

/**
 * The result of verifying a snapshot file opened from the OS (double-click, a second launch).
 * The manifest is included when it could be read.
 */
export const SnapshotVerification = z.object({
  ok: z.boolean(),
  fingerprint: z.string().nullable(),
  manifest: SnapshotManifest.nullable(),
  failures: z.array(z.object({ part: z.string(), code: z.string(), message: z.string() })),
  verifiedParts: z.array(z.string())
})
export type SnapshotVerification = z.infer<typeof SnapshotVerification>

/** An opaque one-time handle main issues for a snapshot file it was offered. */
const OfferHandle = z
  .string()
  .min(16)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)

/**
 * The browser shell's server-sent events are text: a byte array in an event's payload (a packed
 * chunk of records) travels as `{ [EVENT_BYTES_KEY]: id }`, and the page fetches the bytes with
 * GET `EVENT_BYTES_PATH + id` (once; they are dropped when fetched, when the event stream closes,
 * or after ten minutes) before it hands the event on, in order.
 */
export const EVENT_BYTES_PATH = '/api/event-bytes/'
export const EVENT_BYTES_KEY = '$bytes'

/**
 * The browser shell's upload route for snapshot files: a POST whose body is the file
 * (`application/octet-stream`, its name percent-encoded in `X-Snapshot-Name`), answered with a
 * `Result<OfferedSnapshot>`. Authenticated like every /api call.
 */
export const SNAPSHOT_UPLOAD_PATH = '/api/upload/snapshot'

/** A snapshot file main was offered (dialog, OS, drop, upload), as the UI may know it. */
export const OfferedSnapshot = z.object({ handle: OfferHandle, name: z.string(), size: z.number() })
export type OfferedSnapshot = z.infer<typeof OfferedSnapshot>

const ExportRef = z.object({ exportId: z.string().min(1).max(64) }).strict()
const PackRef = z.object({ packId: z.string().min(1).max(64) }).strict()
const SendRef = z.object({ sendId: z.string().min(1).max(64) }).strict()
const ImportRef = z.object({ importId: z.string().min(1).max(64) }).strict()

/** Tags and a comment on one record (src/shared/export RecordAnnotation), by record Id. */
const AnnotationSchema = z.object({
  tags: z.array(z.string().max(200)).max(500),
  comment: z.string().max(100_000)
})

/** One record's annotation with its record Id, as an import batch carries it. */
const IdAnnotation = AnnotationSchema.extend({ id: z.string().min(1) })

/** How the UI answered a pushed batch (acquire or import). */
const BatchOutcome = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    new: z.number().int().min(0),
    duplicates: z.number().int().min(0)
  }),
  z.object({ ok: z.literal(false), code: z.string().max(100), message: z.string().max(2000) })
])

/** What a snapshot import did. */
export const SnapshotImportCounts = z.object({
  records: z.number(),
  new: z.number(),
  duplicates: z.number(),
  annotations: z.number(),
  ledgerEntries: z.number()
})
export type SnapshotImportCounts = z.infer<typeof SnapshotImportCounts>

/**
 * The browser shell's upload route for audit files (Purview / Search-UnifiedAuditLog CSV, JSON,
 * NDJSON): like {@link SNAPSHOT_UPLOAD_PATH}, the file's name in `X-Snapshot-Name`; no size limit
 * beyond the declared length and the disk.
 */
export const AUDIT_FILE_UPLOAD_PATH = '/api/upload/audit-file'

/** One row of an audit file the importer refused, with its 1-based line. */
export const RejectedRowSchema = z.object({
  line: z.number(),
  code: z.string(),
  reason: z.string(),
  excerpt: z.string()
})
export type RejectedRowInfo = z.infer<typeof RejectedRowSchema>

/** What an audit-file import did (src/main/services/import/audit-file-imports.ts). */
export const AuditImportCounts = z.object({
  rowsRead: z.number(),
  committed: z.number(),
  new: z.number(),
  alreadyCached: z.number(),
  duplicatesInFile: z.number(),
  rejected: z.number()
})
export type AuditImportCounts = z.infer<typeof AuditImportCounts>

/** One entry of the hash-chained acquisition log (src/shared/snapshot/acquisition-log.ts). */
export const AcquisitionLogEntrySchema = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  source: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  counts: z.record(z.string(), z.number()),
  prevSha256: z.string()
})
export type AcquisitionLogEntryInfo = z.infer<typeof AcquisitionLogEntrySchema>

export const contract = {
  'app:get-info': { input: NoInput, output: AppInfo },
  'settings:get': { input: NoInput, output: Settings },
  'settings:update': { input: Settings.partial().strict(), output: Settings },
  'profiles:list': { input: NoInput, output: z.array(Profile) },
  'profiles:save': { input: ProfileInput.strict(), output: Profile },
  'profiles:delete': { input: ProfileRef, output: z.object({ deleted: z.boolean() }) },
  'auth:list-states': { input: NoInput, output: z.array(AuthState) },
  'auth:sign-in': {
    input: ProfileRef.extend({
      mode: SignInMode.optional(),
      loginHint: z.string().trim().min(3).max(254).optional()
    }).strict(),
    output: AuthState
  },
  'auth:cancel-sign-in': { input: ProfileRef, output: z.object({ cancelled: z.boolean() }) },
  'auth:sign-out': { input: ProfileRef, output: AuthState },
  'auth:use-memory-storage': { input: NoInput, output: z.object({ tokenStorage: TokenStorage }) },
  'auth:test-connection': { input: ProfileRef, output: ConnectionCheck },
  'demo:open': { input: NoInput, output: Profile },
  'acquire:start': {
    input: ProfileRef.extend({
      clientId: z.string().min(1).max(64),
      since: IsoDate,
      until: IsoDate,
      history: z.boolean(),
      allRecords: z.boolean(),
      ledger: LedgerSchema
    }).strict(),
    output: z.object({ jobId: z.string() })
  },
  'acquire:ack-batch': {
    input: JobRef.extend({
      batchId: z.number().int().positive(),
      outcome: z.discriminatedUnion('ok', [
        z.object({
          ok: z.literal(true),
          new: z.number().int().min(0),
          duplicates: z.number().int().min(0)
        }),
        z.object({ ok: z.literal(false), code: z.string().max(100), message: z.string().max(2000) })
      ])
    }).strict(),
    output: z.object({ accepted: z.boolean() })
  },
  'acquire:cancel': { input: JobRef, output: z.object({ cancelled: z.boolean() }) },
  /**
   * The app's acquisition log (imports of audit files, …), newest first: at most 500 entries,
   * how many it holds, and every break in its hash chain.
   */
  'acquire:list-log': {
    input: NoInput,
    output: z.object({
      entries: z.array(AcquisitionLogEntrySchema),
      total: z.number(),
      problems: z.array(z.string())
    })
  },
  /** Starts writing the cache as a snapshot: main picks where (save dialog or Downloads). */
  'snapshots:export-begin': {
    input: z
      .object({
        suggestedName: z.string().min(1).max(200),
        ledger: LedgerSchema,
        annotations: z.record(z.string(), AnnotationSchema)
      })
      .strict(),
    output: z.object({ exportId: z.string(), path: z.string() })
  },
  /** Hands main the next chunk of records; resolves once the writer has room (back-pressure). */
  'snapshots:export-append': {
    input: ExportRef.extend({ records: RecordBatch.max(10_000) }).strict(),
    output: z.object({ records: z.number() })
  },
  'snapshots:export-finish': {
    input: ExportRef,
    output: z.object({ path: z.string(), fingerprint: z.string(), records: z.number() })
  },
  'snapshots:export-cancel': { input: ExportRef, output: z.object({ cancelled: z.boolean() }) },
  /**
   * Verifies a snapshot and, when it passes, pushes its content to the window `clientId` in
   * acknowledged batches. `importId` is null when verification failed: nothing is imported.
   */
  'snapshots:import': {
    input: z
      .object({
        clientId: z.string().min(1).max(64),
        /** A handle main issued for a file it was offered; without one, main shows its open dialog. */
        handle: OfferHandle.optional()
      })
      .strict(),
    output: z.object({
      importId: z.string().nullable(),
      /** The file's name, for display. */
      name: z.string(),
      verification: SnapshotVerification
    })
  },
  /**
   * Desktop only, and not part of {@link AppApi}: the preload calls it with
   * `webUtils.getPathForFile` of a File the user dropped, so the page itself never sends a path.
   * Main checks the path (local, absolute, `.caxsnap`, a regular file) and returns a handle.
   */
  'snapshots:offer-dropped-file': {
    input: z.object({ path: z.string().min(1).max(4096) }).strict(),
    output: OfferedSnapshot
  },
  'snapshots:ack-import-batch': {
    input: ImportRef.extend({
      batchId: z.number().int().positive(),
      outcome: BatchOutcome
    }).strict(),
    output: z.object({ accepted: z.boolean() })
  },
  'snapshots:cancel-import': { input: ImportRef, output: z.object({ cancelled: z.boolean() }) },
  /**
   * Imports an audit file main was offered (upload, drop, or — without a handle — the open
   * dialog), pushing its records to the window `clientId` in acknowledged batches.
   */
  'imports:start': {
    input: z
      .object({ clientId: z.string().min(1).max(64), handle: OfferHandle.optional() })
      .strict(),
    output: z.object({ importId: z.string(), name: z.string() })
  },
  /** Desktop only, like `snapshots:offer-dropped-file`, for an audit file (any extension). */
  'imports:offer-dropped-file': {
    input: z.object({ path: z.string().min(1).max(4096) }).strict(),
    output: OfferedSnapshot
  },
  'imports:ack-batch': {
    input: ImportRef.extend({
      batchId: z.number().int().positive(),
      outcome: BatchOutcome
    }).strict(),
    output: z.object({ accepted: z.boolean() })
  },
  'imports:cancel': { input: ImportRef, output: z.object({ cancelled: z.boolean() }) },
  /**
   * Starts a review pack of the records the window sends (its current view): main picks where
   * (save dialog or Downloads) and writes them as a snapshot first, which the pack ties back to.
   * `path` is the pack's name without extension (`.caxsnap`, `.xlsx`, `.html` follow).
   */
  'reports:begin': {
    input: z
      .object({
        suggestedName: z.string().min(1).max(200),
        ledger: LedgerSchema,
        annotations: z.record(z.string(), AnnotationSchema),
        settings: GovernanceSettingsSchema,
        timeZone: z.enum(['utc', 'local'])
      })
      .strict(),
    output: z.object({ packId: z.string(), path: z.string() })
  },
  /** Hands main the next records of the pack; resolves once the writer has room. */
  'reports:append': {
    input: PackRef.extend({ records: RecordBatch.max(10_000) }).strict(),
    output: z.object({ records: z.number() })
  },
  /** Ends the records: main writes and verifies the snapshot, then the XLSX and HTML from it. */
  'reports:finish': {
    input: PackRef,
    output: z.object({
      snapshotPath: z.string(),
      fingerprint: z.string(),
      xlsxPath: z.string(),
      htmlPath: z.string(),
      records: z.number(),
      resources: z.number(),
      findings: z.number()
    })
  },
  'reports:cancel': { input: PackRef, output: z.object({ cancelled: z.boolean() }) },
  /** The saved "Send to…" destinations (ADX tables, Log Analytics rules). */
  'destinations:list': { input: NoInput, output: z.array(Destination) },
  /** Creates or updates a destination; hosts must be Microsoft's for the connection's cloud. */
  'destinations:save': { input: DestinationInput, output: Destination },
  'destinations:delete': {
    input: z.object({ destinationId: z.string().min(1).max(64) }).strict(),
    output: z.object({ deleted: z.boolean() })
  },
  /**
   * Starts a send of the records the window hands over (its view, or the whole cache) to a
   * saved destination: main writes them as a snapshot in its private folder first.
   */
  'sends:begin': {
    input: z.object({ destinationId: z.string().min(1).max(64), scope: SendScope }).strict(),
    output: z.object({ sendId: z.string() })
  },
  /** Hands main the next records of the send; resolves once the writer has room. */
  'sends:append': {
    input: SendRef.extend({ records: RecordBatch.max(10_000) }).strict(),
    output: z.object({ records: z.number() })
  },
  /** Ends the records: main verifies the snapshot and pushes from it; resolves at the end. */
  'sends:finish': { input: SendRef, output: SendSummary },
  'sends:cancel': { input: SendRef, output: z.object({ cancelled: z.boolean() }) }
} as const

/** Pushes from main to every window, each with the schema of its payload. */
export const events = {
  'settings:did-change': Settings,
  'profiles:did-change': z.array(Profile),
  'auth:did-change': AuthState,
  'auth:did-receive-device-code': DeviceCodePrompt,
  'acquire:did-produce-batch': z.object({
    jobId: z.string(),
    clientId: z.string(),
    batchId: z.number(),
    /** Records in `chunks`. */
    count: z.number().int().min(0),
    chunks: PackedChunks,
    ledger: LedgerDeltaSchema
  }),
  'acquire:did-progress': z.object({
    jobId: z.string(),
    clientId: z.string(),
    progress: SyncProgressSchema
  }),
  'acquire:did-finish': z.object({
    jobId: z.string(),
    clientId: z.string(),
    status: z.enum(['complete', 'partial', 'failed', 'cancelled']),
    result: SyncSummarySchema.nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable()
  }),
  /** An entry was appended to the app's acquisition log. */
  'acquire:did-change-log': z.object({ entry: AcquisitionLogEntrySchema }),
  /** A command from the application menu that the UI carries out (File → Export…). */
  'app:did-invoke-command': z.object({ command: z.enum(['export', 'import-audit-file']) }),
  /** A snapshot file opened from the OS (double-click, File → Open, a second launch), verified. */
  'snapshots:did-open': z.object({
    path: z.string(),
    /** A handle to import it with, when verification passed. */
    handle: OfferHandle.nullable(),
    verification: SnapshotVerification
  }),
  /** Content of a verified snapshot for the window that imports it; answer with ack-import-batch. */
  'snapshots:did-produce-import-batch': z.object({
    importId: z.string(),
    clientId: z.string(),
    batchId: z.number(),
    /** Records in `chunks`. */
    count: z.number().int().min(0),
    chunks: PackedChunks,
    ledger: LedgerDeltaSchema,
    annotations: z.array(IdAnnotation)
  }),
  'snapshots:did-finish-import': z.object({
    importId: z.string(),
    clientId: z.string(),
    status: z.enum(['complete', 'failed', 'cancelled']),
    counts: SnapshotImportCounts,
    error: z.object({ code: z.string(), message: z.string() }).nullable()
  }),
  /**
   * An audit export opened from the OS (double-click, "Open with", a second launch): offered
   * under a handle; the window imports it with `imports:start`.
   */
  'imports:did-open': OfferedSnapshot,
  /** Records and refused rows of an audit file for the window importing it; answer with ack-batch. */
  'imports:did-produce-batch': z.object({
    importId: z.string(),
    clientId: z.string(),
    batchId: z.number(),
    /** Records in `chunks`. */
    count: z.number().int().min(0),
    chunks: PackedChunks,
    /** Rows of `chunks` (indexes over all of them) repeating an Id seen earlier in the file. */
    skip: z.array(z.number().int().min(0)),
    /** The hours these records fall in, as `file` windows: committed with them. */
    ledger: LedgerDeltaSchema,
    rejections: z.array(RejectedRowSchema),
    progress: z.object({ bytesRead: z.number(), totalBytes: z.number(), rowsRead: z.number() })
  }),
  /** Progress of a send: the snapshot verified, parts pushed and counted, 429 waits. */
  'sends:did-progress': SendProgress,
  'imports:did-finish': z.object({
    importId: z.string(),
    clientId: z.string(),
    name: z.string(),
    status: z.enum(['complete', 'failed', 'cancelled']),
    format: z.string().nullable(),
    counts: AuditImportCounts,
    warnings: z.array(z.string()),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    /** SHA-256 of the file, when it was read to its end. */
    sha256: z.string().nullable(),
    /** Event times of the first and last record stored. */
    span: z.object({ first: z.string(), last: z.string() }).nullable()
  })
} as const

export type Channel = keyof typeof contract
export type EventName = keyof typeof events
export type Input<C extends Channel> = z.infer<(typeof contract)[C]['input']>
export type Output<C extends Channel> = z.infer<(typeof contract)[C]['output']>
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>

/** The channel names, for code that walks the contract at run time. */
export const CHANNELS = Object.keys(contract) as Channel[]
/** The event names, for code that walks the contract at run time. */
export const EVENT_NAMES = Object.keys(events) as EventName[]

/** True when `value` names a channel of the contract. */
export function isChannel(value: string): value is Channel {
  return Object.prototype.hasOwnProperty.call(contract, value)
}

/** The implementation of every channel, as main registers it on each transport. */
export type Handlers = { [C in Channel]: (input: Input<C>) => Promise<Output<C>> }

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S
type DomainOf<N extends string> = N extends `${infer D}:${string}` ? D : never
type ActionOf<N extends string> = N extends `${string}:${infer A}` ? A : never
type Domain = DomainOf<Channel> | DomainOf<EventName>

/**
 * Channels the page cannot call: the preload calls them itself with what only it can read (a
 * dropped File's path). They are left out of {@link AppApi} and of the HTTP client.
 */
export const PRELOAD_ONLY_CHANNELS = [
  'snapshots:offer-dropped-file',
  'imports:offer-dropped-file'
] as const
type PreloadOnlyChannel = (typeof PRELOAD_ONLY_CHANNELS)[number]

/** True for a channel the page may call (see {@link PRELOAD_ONLY_CHANNELS}). */
export function isPageChannel(channel: Channel): boolean {
  return !(PRELOAD_ONLY_CHANNELS as readonly string[]).includes(channel)
}

type CallsOf<D extends string> = {
  [
    C in Exclude<Channel, PreloadOnlyChannel> as DomainOf<C> extends D
      ? CamelCase<ActionOf<C>>
      : never
  ]: (input: Input<C>) => Promise<Result<Output<C>>>
}

/**
 * A file the user picked or dropped in the page: a DOM `File`, typed structurally so src/shared
 * needs no DOM types.
 */
export interface PickedFile {
  readonly name: string
  readonly size: number
}

/** Calls that are not contract channels: each shell hands main a picked file its own way. */
interface ShellCalls {
  snapshots: {
    /**
     * Offers a file the user picked or dropped to main and returns its handle: the desktop
     * preload passes the File's path (`webUtils.getPathForFile`); the browser shell uploads it,
     * reporting progress.
     */
    offerFile(
      file: PickedFile,
      onProgress?: (sentBytes: number, totalBytes: number) => void
    ): Promise<Result<OfferedSnapshot>>
  }
  imports: {
    /** Offers an audit file the user picked or dropped to main, like `snapshots.offerFile`. */
    offerFile(
      file: PickedFile,
      onProgress?: (sentBytes: number, totalBytes: number) => void
    ): Promise<Result<OfferedSnapshot>>
  }
}
type EventsOf<D extends string> = {
  [E in EventName as DomainOf<E> extends D ? `on${Capitalize<CamelCase<ActionOf<E>>>}` : never]: (
    listener: (payload: EventPayload<E>) => void
  ) => () => void
}

/**
 * The API the UI sees as `window.api` (desktop) or builds over HTTP (browser shell).
 *
 * `'settings:get'` becomes `api.settings.get(input)`; `'settings:did-change'` becomes
 * `api.settings.onDidChange(listener)`, which returns the unsubscribe function.
 */
export type AppApi = { [D in Domain]: CallsOf<D> & EventsOf<D> } & ShellCalls

/** Turns `settings:did-change` into `['settings', 'onDidChange']`; calls keep their verb. */
export function apiPath(name: Channel | EventName): [domain: string, method: string] {
  const [domain = '', action = ''] = name.split(':')
  const camel = action.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
  const method = isChannel(name) ? camel : `on${camel.charAt(0).toUpperCase()}${camel.slice(1)}`
  return [domain, method]
}
