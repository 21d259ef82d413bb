/**
 * "Send to…" through the contract both transports use: what the UI may save as a destination
 * (no demo placement, no foreign hosts, payloads checked), and a send of records to the demo's
 * Azure Data Explorer cluster with the demo tenant's real MSAL sign-in: the token for the cluster
 * comes from the profile's sign-in, the records arrive once, a second send doubles nothing.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Destination, SendProgress, SendSummary } from '../../shared/destinations'
import { testRecord } from '../../shared/export/test-records'
import type { Profile } from '../../shared/profiles'
import type { AppCore } from '../app-core'

import { dispatchValue, startTestCore } from './test-core'

describe('destination and send channels', () => {
  let core: AppCore
  let close: () => Promise<void>

  beforeEach(async () => {
    ;({ core, close } = await startTestCore('cax-sends-rpc-', { demoPort: 0 }))
  })

  afterEach(() => close())

  const call = <T>(channel: string, input: unknown): Promise<T> =>
    dispatchValue<T>(core, channel, input)

  it('refuses bad payloads, foreign hosts and a smuggled demo placement', async () => {
    const profile = await call<Profile>('profiles:save', {
      displayName: 'Contoso',
      tenant: 'contoso.onmicrosoft.com',
      clientId: '5d1f0a4e-2222-4333-8444-955556666777',
      cloud: 'commercial',
      signInMode: 'interactive'
    })
    expect(
      await core.dispatch('destinations:save', {
        kind: 'adx',
        displayName: 'x',
        profileId: profile.id
      })
    ).toMatchObject({ ok: false, error: { code: 'ipc/invalid-input' } })
    const evil = {
      kind: 'adx',
      displayName: 'Evil',
      profileId: profile.id,
      adx: { cluster: 'https://127.0.0.1:9/kusto', database: 'Db', table: 'T' }
    }
    expect(await core.dispatch('destinations:save', evil)).toMatchObject({
      ok: false,
      error: { code: 'destinations/invalid' }
    })
    expect(
      await core.dispatch('destinations:save', {
        ...evil,
        isDemo: true,
        logAnalyticsBase: 'https://127.0.0.1:9'
      })
    ).toMatchObject({ ok: false, error: { code: 'destinations/invalid' } })
    expect(await call<Destination[]>('destinations:list', {})).toEqual([])
    expect(
      await core.dispatch('sends:begin', { destinationId: 'nope', scope: 'view' })
    ).toMatchObject({ ok: false, error: { code: 'destinations/not-found' } })
    expect(
      await core.dispatch('sends:append', { sendId: 'nope', records: [testRecord('r1')] })
    ).toMatchObject({ ok: false, error: { code: 'send/unknown' } })
    expect(
      await core.dispatch('sends:append', { sendId: 'nope', records: 'not records' })
    ).toMatchObject({ ok: false, error: { code: 'ipc/invalid-input' } })
  })

  it('sends records to the demo cluster with the demo tenant’s sign-in, once', async () => {
    const progress: SendProgress[] = []
    core.bus.subscribe((event, payload) => {
      if (event === 'sends:did-progress') {
        progress.push(payload as SendProgress)
      }
    })
    const demo = await call<Profile>('demo:open', {})
    const [destination] = await call<Destination[]>('destinations:list', {})
    expect(destination).toMatchObject({
      kind: 'adx',
      displayName: 'Demo Azure Data Explorer (Contoso)',
      profileId: demo.id,
      isDemo: true
    })
    const records = Array.from({ length: 40 }, (_, i) => testRecord(`demo-send-${i}`))
    const send = async (): Promise<SendSummary> => {
      const { sendId } = await call<{ sendId: string }>('sends:begin', {
        destinationId: destination!.id,
        scope: 'view'
      })
      await call('sends:append', { sendId, records })
      return call<SendSummary>('sends:finish', { sendId })
    }
    // Not signed in yet: the send says so and sends nothing.
    await expect(send()).rejects.toThrow(/auth\/interaction-required/)
    await call('auth:sign-in', { profileId: demo.id })
    expect(await send()).toMatchObject({
      status: 'complete',
      records: 40,
      sentRecords: 40,
      alreadyThereRecords: 0,
      failedRecords: 0
    })
    expect(progress.some((p) => p.phase === 'pushing' && p.recordsDone === 40)).toBe(true)
    expect(await send()).toMatchObject({
      status: 'complete',
      sentRecords: 0,
      alreadyThereRecords: 40
    })

    // The demo's workspace through its data collection rule: the same records, once.
    const la = (await call<Destination[]>('destinations:list', {})).find(
      (d) => d.kind === 'loganalytics'
    )
    expect(la).toMatchObject({
      kind: 'loganalytics',
      displayName: 'Demo Log Analytics (Contoso Sentinel)',
      profileId: demo.id,
      isDemo: true,
      loganalytics: { table: 'PowerPlatformAudit_CL' }
    })
    const sendLa = async (): Promise<SendSummary> => {
      const { sendId } = await call<{ sendId: string }>('sends:begin', {
        destinationId: la!.id,
        scope: 'view'
      })
      await call('sends:append', { sendId, records })
      return call<SendSummary>('sends:finish', { sendId })
    }
    expect(await sendLa()).toMatchObject({
      status: 'complete',
      records: 40,
      sentRecords: 40,
      alreadyThereRecords: 0,
      failedRecords: 0
    })
    expect(await sendLa()).toMatchObject({
      status: 'complete',
      sentRecords: 0,
      alreadyThereRecords: 40,
      failedRecords: 0
    })
  }, 120_000)
})
