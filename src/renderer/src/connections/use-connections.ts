import { useCallback, useEffect, useState } from 'react'

import type { AppApi } from '../../../shared/ipc/contract'
import type { AuthState, DeviceCodePrompt, Profile } from '../../../shared/profiles'

export interface Connections {
  profiles: Profile[]
  states: Map<string, AuthState>
  deviceCodes: Map<string, DeviceCodePrompt>
  isLoaded: boolean
  loadError: string | null
  reload: () => Promise<void>
}

/** Profiles, their sign-in states and pending device codes, kept live through pushed events. */
export function useConnections(api: AppApi): Connections {
  const [profiles, setProfiles] = useState<Profile[]>([])
  const [states, setStates] = useState<Map<string, AuthState>>(new Map())
  const [deviceCodes, setDeviceCodes] = useState<Map<string, DeviceCodePrompt>>(new Map())
  const [isLoaded, setIsLoaded] = useState(false)
  const [loadError, setLoadError] = useState<string | null>(null)

  const reload = useCallback(
    () =>
      Promise.all([api.profiles.list({}), api.auth.listStates({})]).then(([p, s]) => {
        if (!p.ok || !s.ok) {
          setLoadError(
            (!p.ok ? p.error.message : !s.ok ? s.error.message : null) ?? 'Unknown error'
          )
          return
        }
        setProfiles(p.value)
        setStates(new Map(s.value.map((state) => [state.profileId, state])))
        setLoadError(null)
        setIsLoaded(true)
      }),
    [api]
  )

  useEffect(() => {
    void reload()
    const offProfiles = api.profiles.onDidChange((next) => setProfiles(next))
    const offAuth = api.auth.onDidChange((state) => {
      setStates((current) => new Map(current).set(state.profileId, state))
      if (state.status !== 'signing-in') {
        setDeviceCodes((current) => {
          const next = new Map(current)
          next.delete(state.profileId)
          return next
        })
      }
    })
    const offCodes = api.auth.onDidReceiveDeviceCode((prompt) =>
      setDeviceCodes((current) => new Map(current).set(prompt.profileId, prompt))
    )
    return () => {
      offProfiles()
      offAuth()
      offCodes()
    }
  }, [api, reload])

  return { profiles, states, deviceCodes, isLoaded, loadError, reload }
}
