/**
 * When the desktop app checks for updates, as pure decisions the electron-updater glue
 * (src/main/platform/updater.ts) only carries out.
 *
 * Never in development (`app.isPackaged` false). Never when the user chose `off` in Settings, when
 * an administrator disabled updates by policy (an environment variable or a machine-wide file), or
 * when the install cannot be updated in place (a Windows MSI install, a Linux deb: their own
 * package managers update them). Otherwise at start-up after a short delay, then every few hours.
 */
import { readFile } from 'node:fs/promises'
import { posix, win32 } from 'node:path'

import { z } from 'zod'

import type { UpdatesPreference } from '../../../shared/ipc/contract'

import { PRODUCT_NAME } from '../app-data/paths'

/** Setting this environment variable to `1`, `true`, `yes` or `on` disables update checks. */
export const UPDATES_POLICY_ENV = 'CAX_DISABLE_UPDATES'

/** How long after start-up the first check runs (the window first, then the network). */
export const FIRST_CHECK_DELAY_MS = 10_000
/** How often a long-running app checks again. */
export const CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000

/**
 * The machine-wide policy file an administrator can deploy (read-only for users):
 * `%ProgramData%\Connector Audit Explorer\policy.json` on Windows,
 * `/Library/Application Support/Connector Audit Explorer/policy.json` on macOS,
 * `/etc/connector-audit-explorer/policy.json` elsewhere.
 */
export function machinePolicyPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env
): string {
  if (platform === 'win32') {
    return win32.join(env['ProgramData'] ?? 'C:\\ProgramData', PRODUCT_NAME, 'policy.json')
  }
  if (platform === 'darwin') {
    return posix.join('/Library/Application Support', PRODUCT_NAME, 'policy.json')
  }
  return '/etc/connector-audit-explorer/policy.json'
}

/** The policy file's schema. Unknown keys are allowed so future policies do not break old apps. */
export const MachinePolicy = z.object({ updates: z.enum(['automatic', 'off']).optional() })
export type MachinePolicy = z.infer<typeof MachinePolicy>

/** What the administrator decided about updates, and where it came from. */
export type UpdatesPolicy =
  | { isDisabled: false }
  | { isDisabled: true; source: 'environment' | 'policy-file'; detail: string }

/** True when `value` (an environment variable) reads as "yes". */
export function isTruthyFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim())
}

/**
 * Interprets the policy file's text (`undefined` when there is none). A file that exists but
 * cannot be understood disables updates: an administrator who deployed a file meant to restrict.
 */
export function parseMachinePolicy(text: string | undefined, path: string): UpdatesPolicy {
  if (text === undefined) {
    return { isDisabled: false }
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { isDisabled: true, source: 'policy-file', detail: `${path} is not valid JSON` }
  }
  const parsed = MachinePolicy.safeParse(raw)
  if (!parsed.success) {
    return { isDisabled: true, source: 'policy-file', detail: `${path} has invalid values` }
  }
  return parsed.data.updates === 'off'
    ? { isDisabled: true, source: 'policy-file', detail: `${path} sets "updates": "off"` }
    : { isDisabled: false }
}

/** Combines the environment variable and the policy file (the variable wins). */
export function resolveUpdatesPolicy(
  env: NodeJS.ProcessEnv,
  policyText: string | undefined,
  policyPath: string
): UpdatesPolicy {
  if (isTruthyFlag(env[UPDATES_POLICY_ENV])) {
    return { isDisabled: true, source: 'environment', detail: `${UPDATES_POLICY_ENV} is set` }
  }
  return parseMachinePolicy(policyText, policyPath)
}

/** Reads the machine policy from disk (missing file: no policy; unreadable file: disabled). */
export async function readUpdatesPolicy(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8')
): Promise<UpdatesPolicy> {
  const path = machinePolicyPath(platform, env)
  let text: string | undefined
  try {
    text = await read(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      return { isDisabled: true, source: 'policy-file', detail: `${path} is unreadable (${code})` }
    }
  }
  return resolveUpdatesPolicy(env, text, path)
}

/** How the running copy was installed, as far as updates are concerned. */
export interface InstallFacts {
  platform: NodeJS.Platform
  /** `app.isPackaged`: false under `electron .` and electron-vite dev. */
  isPackaged: boolean
  /**
   * Windows: the NSIS uninstaller sits next to the executable. MSI installs have none, and
   * electron-updater installs NSIS packages only, so an MSI install must be updated by a newer MSI.
   */
  hasNsisUninstaller: boolean
  /** Linux: the `APPIMAGE` environment variable (set by the AppImage runtime). */
  appImagePath: string | undefined
}

/** Why no check happens. */
export type NoCheckReason = 'development' | 'setting' | 'policy' | 'install-type'

/** Whether update checks run at all. */
export type UpdateDecision = { shouldCheck: true } | { shouldCheck: false; reason: NoCheckReason }

/** Decides whether this copy checks for updates (see the module comment for the rules). */
export function decideUpdates(input: {
  install: InstallFacts
  setting: UpdatesPreference
  policy: UpdatesPolicy
}): UpdateDecision {
  const { install, setting, policy } = input
  if (!install.isPackaged) {
    return { shouldCheck: false, reason: 'development' }
  }
  if (policy.isDisabled) {
    return { shouldCheck: false, reason: 'policy' }
  }
  if (setting === 'off') {
    return { shouldCheck: false, reason: 'setting' }
  }
  if (install.platform === 'win32' && !install.hasNsisUninstaller) {
    return { shouldCheck: false, reason: 'install-type' }
  }
  if (install.platform === 'linux' && !install.appImagePath) {
    return { shouldCheck: false, reason: 'install-type' }
  }
  return { shouldCheck: true }
}

/**
 * Milliseconds until the next check: {@link FIRST_CHECK_DELAY_MS} after start-up, then
 * {@link CHECK_INTERVAL_MS} after the last check (immediately when overdue, e.g. after sleep).
 */
export function nextCheckDelayMs(lastCheckAt: Date | null, now: Date): number {
  if (lastCheckAt === null) {
    return FIRST_CHECK_DELAY_MS
  }
  return Math.max(0, lastCheckAt.getTime() + CHECK_INTERVAL_MS - now.getTime())
}

/** A human sentence for the log, never containing anything secret. */
export function describeDecision(decision: UpdateDecision, policy: UpdatesPolicy): string {
  if (decision.shouldCheck) {
    return '[updates] automatic update checks are on'
  }
  switch (decision.reason) {
    case 'development':
      return '[updates] not checking: development build (app.isPackaged is false)'
    case 'setting':
      return '[updates] not checking: turned off in Settings'
    case 'policy':
      return `[updates] not checking: disabled by policy (${policy.isDisabled ? policy.detail : ''})`
    case 'install-type':
      return '[updates] not checking: this install is updated by its package (MSI or deb)'
  }
}
