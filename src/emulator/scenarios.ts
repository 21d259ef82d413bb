import { z } from 'zod'

import { CONTENT_TYPES } from './generator'
import type { ContentType, GeneratorConfig } from './generator'

const range = z
  .object({ min: z.number().nonnegative(), max: z.number().nonnegative() })
  .refine((r) => r.min <= r.max, { message: 'min must be <= max' })

const rate = z.number().min(0).max(1)

const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), {
  message: 'must be an ISO 8601 time'
})

/**
 * The fields of a fault aimed at one span of time: requests whose window overlaps `[from, to)` get
 * it, the first `times` of them (every one when `times` is omitted). Lets a test fail one window
 * and no other.
 */
const SPAN_FIELDS = {
  from: isoTime,
  to: isoTime,
  times: z.number().int().positive().optional()
}
const isSpan = (f: { from: string; to: string }): boolean => Date.parse(f.from) < Date.parse(f.to)
const NOT_A_SPAN = { message: 'from must be before to' }

/** Fault and behaviour switches (reference/management-api.md §6). All can change at runtime. */
export const FaultConfigSchema = z.object({
  /** Share of Management API requests answered with a 5xx-style fault from `errorKinds`. */
  errorRate: rate.default(0),
  errorKinds: z
    .array(z.enum(['AF50000', 'AF50005', 'AF50006', '408', '503', 'html']))
    .min(1)
    .default(['AF50000']),
  /** Share of blob GETs whose connection is reset mid-body. */
  resetRate: rate.default(0),
  /** Share of blob GETs whose body is cut short (Content-Length lies, then the socket closes). */
  truncateRate: rate.default(0),
  /** Share of blob GETs answered 200 with malformed JSON. */
  malformedJsonRate: rate.default(0),
  /** Share of requests delayed by `slowMs` (real milliseconds). */
  slowRate: rate.default(0),
  slowMs: z.number().int().min(0).max(5000).default(200),
  /** Deterministic faults for the next Management API requests, consumed in order. */
  failNext: z
    .array(
      z.enum([
        'AF50000',
        'AF50005',
        'AF50006',
        '408',
        '503',
        'html',
        'reset',
        'truncate',
        'malformed',
        'slow'
      ])
    )
    .default([]),
  /** Content listings (`/subscriptions/content`) whose window overlaps a span answer its fault. */
  listingFaults: z
    .array(
      z
        .object({
          ...SPAN_FIELDS,
          fault: z.enum(['AF50000', 'AF50005', 'AF50006', '408', '503', 'html'])
        })
        .strict()
        .refine(isSpan, NOT_A_SPAN)
    )
    .default([]),
  /** Requests per minute per PublisherIdentifier, and for the shared pool (no identifier). */
  publisherBudgetPerMinute: z.number().int().positive().default(2000),
  sharedBudgetPerMinute: z.number().int().positive().default(500),
  throttleStatus: z.union([z.literal(403), z.literal(429)]).default(403),
  retryAfterSeconds: z.number().int().positive().optional(),
  pageSize: z.number().int().min(1).max(1000).default(20),
  nextPageHeader: z
    .enum(['NextPageUri', 'nextpageuri', 'Nextpageuri', 'NextPageUrl'])
    .default('NextPageUri'),
  /** Strict mode rejects `Z`, fractions and offsets with AF20002 (test-only behaviour). */
  strictDates: z.boolean().default(false),
  omittedWindow: z.enum(['last24h', 'sinceMidnight', 'error']).default('last24h'),
  /** Extra age allowed beyond 7 days for startTime (minutes). */
  windowSlackMinutes: z.number().int().min(0).default(60),
  auditingDisabled: z.boolean().default(false),
  /** After a stop, a start within this many minutes of the previous start "lags". */
  restartRuleMinutes: z.number().int().min(0).default(15),
  firstContentDelayMinutes: z.number().min(0).default(0),
  requireDlpScopeForDlpAll: z.boolean().default(false),
  graphV1Withdrawn: z.boolean().default(true),
  graphNotStartedSeconds: z.number().min(0).default(5),
  graphRunSeconds: z.number().min(0).default(60),
  graphOutcome: z.enum(['succeeded', 'failed', 'cancelled']).default('succeeded'),
  /**
   * Graph audit queries whose filter span overlaps a span end with its outcome (`failed` or
   * `cancelled`) instead of `graphOutcome`; `times` counts the queries created.
   */
  graphQueryFaults: z
    .array(
      z
        .object({ ...SPAN_FIELDS, fault: z.enum(['failed', 'cancelled']) })
        .strict()
        .refine(isSpan, NOT_A_SPAN)
    )
    .default([]),
  graphRecordLimit: z.number().int().positive().default(1_000_000),
  graphPageSize: z.number().int().positive().default(150),
  graphMaxTop: z.number().int().positive().default(1000),
  graphRecordsBeforeSucceeded: z.enum(['error', 'empty']).default('error'),
  graphRetentionDays: z.number().int().positive().default(180),
  /** Queued or running queries allowed at once; more → 429 (with Retry-After when set). */
  graphMaxActiveQueries: z.number().int().positive().default(50),
  graphTransientRate: rate.default(0),
  /**
   * Test hook: hand back the chosen links (`contentUri`, `NextPageUri`, `@odata.nextLink`) on
   * another base, as a spoofed or compromised service would, so tests can prove a client never
   * sends its token there. The path and query stay the emulator's own. Off by default.
   */
  foreignLinks: z
    .object({
      base: z.string().url(),
      kinds: z.array(z.enum(['contentUri', 'nextPageUri', 'nextLink'])).min(1)
    })
    .optional()
})

/** The fault knobs (see FaultConfigSchema). */
export type FaultConfig = z.infer<typeof FaultConfigSchema>

/**
 * A partial fault config without defaults: `FaultConfigSchema.partial()` would fill every
 * missing key with its default (zod 4) and so reset knobs the patch did not mention.
 */
export const FaultPatchSchema = z
  .object(
    Object.fromEntries(
      Object.entries(FaultConfigSchema.shape).map(([key, field]) => [
        key,
        (field instanceof z.ZodDefault
          ? (field.unwrap() as z.ZodType)
          : (field as z.ZodType)
        ).optional()
      ])
    )
  )
  .strict() as unknown as z.ZodType<Partial<FaultConfig>>

const shareSchema = z
  .object(
    Object.fromEntries(CONTENT_TYPES.map((ct) => [ct, z.number().min(0)])) as Record<
      ContentType,
      z.ZodNumber
    >
  )
  .partial()

/** A scenario file (JSON). `extends` names a built-in scenario to start from. */
export const ScenarioFileSchema = z
  .object({
    extends: z
      .enum([
        'demo',
        'clean',
        'flaky',
        'throttled',
        'late-arrivals',
        'duplicates',
        'expired',
        'huge'
      ])
      .optional(),
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    eventsPerDay: z.number().min(0).max(10_000_000).optional(),
    contentTypeShare: shareSchema.optional(),
    /** Content types whose subscription already exists (enabled since long before "now"). */
    preSubscribed: z.array(z.enum(CONTENT_TYPES)).optional(),
    blobSize: z.number().int().min(1).max(100_000).optional(),
    latencyMinutes: range.optional(),
    lateBlobRate: rate.optional(),
    lateBlobDelayMinutes: range.optional(),
    duplicateRate: rate.optional(),
    crossBlobDuplicateRate: rate.optional(),
    oldEventsRate: rate.optional(),
    oldEventsDelayHours: range.optional(),
    emptyHourRate: rate.optional(),
    faults: FaultPatchSchema.optional()
  })
  .strict()

/** A complete scenario. */
export interface ScenarioConfig {
  name: string
  description: string
  generator: Omit<GeneratorConfig, 'seed'>
  preSubscribed: ContentType[]
  faults: FaultConfig
}

/** Built-in scenario names. */
export type ScenarioName =
  'demo' | 'clean' | 'flaky' | 'throttled' | 'late-arrivals' | 'duplicates' | 'expired' | 'huge'

const SHARE: Record<ContentType, number> = {
  'Audit.General': 1,
  'Audit.AzureActiveDirectory': 0.3,
  'Audit.Exchange': 0.3,
  'Audit.SharePoint': 0.2,
  'DLP.All': 0.01
}

const BASE: ScenarioConfig = {
  name: 'demo',
  description:
    'A mid-sized tenant: realistic latency, a few late blobs, duplicates and old events.',
  generator: {
    eventsPerDay: 3000,
    contentTypeShare: SHARE,
    blobSize: 60,
    latencyMinutes: { min: 45, max: 95 },
    lateBlobRate: 0.03,
    lateBlobDelayMinutes: { min: 120, max: 360 },
    duplicateRate: 0.03,
    crossBlobDuplicateRate: 0.05,
    oldEventsRate: 0.02,
    oldEventsDelayHours: { min: 20, max: 60 },
    emptyHourRate: 0.01
  },
  preSubscribed: ['Audit.General'],
  faults: FaultConfigSchema.parse({})
}

function variant(
  name: ScenarioName,
  description: string,
  generator: Partial<ScenarioConfig['generator']>,
  faults: Partial<FaultConfig> = {},
  preSubscribed: ContentType[] = BASE.preSubscribed
): ScenarioConfig {
  return {
    name,
    description,
    generator: { ...BASE.generator, ...generator },
    preSubscribed,
    faults: { ...BASE.faults, ...faults }
  }
}

/** The named scenarios. */
export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioConfig>> = {
  demo: BASE,
  clean: variant('clean', 'No late blobs, duplicates or old events; fixed 30-minute latency.', {
    latencyMinutes: { min: 30, max: 30 },
    lateBlobRate: 0,
    duplicateRate: 0,
    crossBlobDuplicateRate: 0,
    oldEventsRate: 0,
    emptyHourRate: 0
  }),
  flaky: variant(
    'flaky',
    'Transient 5xx, resets, truncated and malformed bodies, slow responses.',
    {},
    {
      errorRate: 0.15,
      errorKinds: ['AF50000', 'AF50005', '503', '408', 'html'],
      resetRate: 0.05,
      truncateRate: 0.05,
      malformedJsonRate: 0.05,
      slowRate: 0.1,
      slowMs: 150,
      graphTransientRate: 0.2
    }
  ),
  throttled: variant(
    'throttled',
    'Small request budgets: AF429 comes quickly.',
    {},
    {
      publisherBudgetPerMinute: 30,
      sharedBudgetPerMinute: 10
    }
  ),
  'late-arrivals': variant('late-arrivals', 'Many late blobs and old events in new blobs.', {
    lateBlobRate: 0.3,
    lateBlobDelayMinutes: { min: 60, max: 600 },
    oldEventsRate: 0.15,
    oldEventsDelayHours: { min: 12, max: 100 }
  }),
  duplicates: variant('duplicates', 'Heavy duplication within and across blobs.', {
    duplicateRate: 0.4,
    crossBlobDuplicateRate: 0.5
  }),
  expired: variant(
    'expired',
    'Listings reach 12 hours past the 7-day edge, so listed blobs answer AF20051.',
    {},
    { windowSlackMinutes: 12 * 60 }
  ),
  huge: variant('huge', 'About 160,000 Audit.General events a day (over a million a week).', {
    eventsPerDay: 160_000,
    blobSize: 1000
  })
}

/** Parses a scenario file's JSON text; throws an Error listing every problem with its path. */
export function parseScenarioFile(text: string, source = 'scenario file'): ScenarioConfig {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new Error(
      `${source}: not valid JSON (${err instanceof Error ? err.message : String(err)})`
    )
  }
  const parsed = ScenarioFileSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  - ${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`
    )
    throw new Error(`${source} is invalid:\n${lines.join('\n')}`)
  }
  const file = parsed.data
  const from = SCENARIOS[file.extends ?? 'demo']
  const g = from.generator
  return {
    name: file.name ?? `${from.name}-custom`,
    description: file.description ?? from.description,
    generator: {
      eventsPerDay: file.eventsPerDay ?? g.eventsPerDay,
      contentTypeShare: { ...g.contentTypeShare, ...definedOnly(file.contentTypeShare ?? {}) },
      blobSize: file.blobSize ?? g.blobSize,
      latencyMinutes: file.latencyMinutes ?? g.latencyMinutes,
      lateBlobRate: file.lateBlobRate ?? g.lateBlobRate,
      lateBlobDelayMinutes: file.lateBlobDelayMinutes ?? g.lateBlobDelayMinutes,
      duplicateRate: file.duplicateRate ?? g.duplicateRate,
      crossBlobDuplicateRate: file.crossBlobDuplicateRate ?? g.crossBlobDuplicateRate,
      oldEventsRate: file.oldEventsRate ?? g.oldEventsRate,
      oldEventsDelayHours: file.oldEventsDelayHours ?? g.oldEventsDelayHours,
      emptyHourRate: file.emptyHourRate ?? g.emptyHourRate
    },
    preSubscribed: file.preSubscribed ?? from.preSubscribed,
    faults: FaultConfigSchema.parse({ ...from.faults, ...definedOnly(file.faults ?? {}) })
  }
}

function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** Resolves a scenario option (name or full config) to a config. */
export function resolveScenario(
  scenario: ScenarioName | ScenarioConfig | undefined
): ScenarioConfig {
  if (scenario === undefined) {
    return SCENARIOS.demo
  }
  if (typeof scenario === 'string') {
    const found = SCENARIOS[scenario]
    if (!found) {
      throw new Error(
        `unknown scenario '${String(scenario)}' (known: ${Object.keys(SCENARIOS).join(', ')})`
      )
    }
    return found
  }
  return scenario
}
