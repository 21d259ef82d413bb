/**
 * The governance views' state: one governance worker per window, started the first time a
 * governance view opens and kept while the user switches views; the settings (thresholds) kept in
 * the cache's settings table; the overview re-asked when the cache or the settings change.
 */
import { useCallback, useEffect, useRef, useState } from 'react'

import {
  GovernanceSettingsError,
  parseGovernanceSettings,
  type GovernanceSettings,
  type GovernanceSettingsInput
} from '../../../shared/governance'
import type { AppDb } from '../db/app-db'
import { RefreshPacer } from '../workers/refresh-pacer'

import { startGovernanceWorker, type GovernanceClient } from './governance-client'
import type { GovernanceOverview, GovernanceProgress, ResourceDetail } from './governance-engine'

/** Where the settings are kept (app-wide, in the cache's settings table). */
export const GOVERNANCE_SETTING = 'governance.settings'

/** The governance views' data and actions. */
export interface Governance {
  progress: GovernanceProgress | null
  overview: GovernanceOverview | null
  error: string | null
  settings: GovernanceSettings
  /** A stored settings object that no longer validates (defaults are used instead). */
  settingsProblem: string | null
  /** Validates and stores settings; returns the error message, or null when saved. */
  saveSettings(input: GovernanceSettingsInput): Promise<string | null>
  detail(resourceId: string): Promise<ResourceDetail>
}

/** Loads the stored settings: defaults when none, defaults and the reason when invalid. */
export async function loadGovernanceSettings(
  db: AppDb
): Promise<{ settings: GovernanceSettings; problem: string | null }> {
  const stored = await db.getSetting<unknown>('', GOVERNANCE_SETTING, {})
  try {
    return { settings: parseGovernanceSettings(stored), problem: null }
  } catch (error) {
    return {
      settings: parseGovernanceSettings({}),
      problem: error instanceof GovernanceSettingsError ? error.message : String(error)
    }
  }
}

/** See {@link Governance}; the worker starts once `isWanted` is first true. */
export function useGovernance(db: AppDb, isWanted: boolean): Governance {
  const clientRef = useRef<GovernanceClient | null>(null)
  const [isStarted, setIsStarted] = useState(isWanted)
  if (isWanted && !isStarted) {
    setIsStarted(true)
  }
  const [progress, setProgress] = useState<GovernanceProgress | null>(null)
  const [overview, setOverview] = useState<GovernanceOverview | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  const [settings, setSettings] = useState<GovernanceSettings>(() => parseGovernanceSettings({}))
  const [settingsProblem, setSettingsProblem] = useState<string | null>(null)

  useEffect(() => {
    let isActive = true
    void loadGovernanceSettings(db).then(({ settings: loaded, problem }) => {
      if (isActive) {
        setSettings(loaded)
        setSettingsProblem(problem)
      }
    })
    return () => {
      isActive = false
    }
  }, [db])

  useEffect(() => {
    if (!isStarted) {
      return
    }
    const client = startGovernanceWorker()
    clientRef.current = client
    // While a sync streams records in, the overview is re-asked at most every 2 s, the latest
    // change always (refresh-pacer.ts); the opening's progress only moves the progress line.
    const pacer = new RefreshPacer(() => setVersion((v) => v + 1), { changedEveryMs: 2000 })
    const unsubscribe = client.onDidChange((event, next) => {
      setProgress(next)
      if (event === 'changed') {
        pacer.note('changed')
      }
    })
    client.request({ type: 'open', dbName: db.name }).then(
      (loaded) => {
        setProgress(loaded)
        pacer.refreshNow()
      },
      (failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure))
    )
    return () => {
      pacer.dispose()
      unsubscribe()
      client.dispose()
      clientRef.current = null
    }
  }, [db, isStarted])

  useEffect(() => {
    const client = clientRef.current
    if (!client || version === 0) {
      return
    }
    let isActive = true
    client.request({ type: 'overview', settings }).then(
      (next) => {
        if (isActive) {
          setOverview(next)
          setError(null)
        }
      },
      (failure: unknown) =>
        isActive && setError(failure instanceof Error ? failure.message : String(failure))
    )
    return () => {
      isActive = false
    }
  }, [settings, version])

  const saveSettings = useCallback(
    async (input: GovernanceSettingsInput): Promise<string | null> => {
      let parsed: GovernanceSettings
      try {
        parsed = parseGovernanceSettings(input)
      } catch (failure) {
        return failure instanceof Error ? failure.message : String(failure)
      }
      await db.putSetting('', GOVERNANCE_SETTING, parsed)
      setSettings(parsed)
      setSettingsProblem(null)
      return null
    },
    [db]
  )

  const detail = useCallback(
    async (resourceId: string): Promise<ResourceDetail> => {
      const client = clientRef.current
      if (!client) {
        return { row: null, timeline: [] }
      }
      return client.request({ type: 'detail', resourceId, settings })
    },
    [settings]
  )

  return { progress, overview, error, settings, settingsProblem, saveSettings, detail }
}
