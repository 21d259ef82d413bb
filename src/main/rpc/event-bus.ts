/**
 * Pushes from services to every connected UI, whatever the transport.
 *
 * Payloads are parsed with the event's schema before they leave, so a service cannot push
 * something the contract does not allow (for example an object carrying a token).
 */
import { events, type EventName, type EventPayload } from '../../shared/ipc/contract'

export type EventListener = (event: EventName, payload: unknown) => void

/** A synchronous fan-out of contract events to the transports' listeners. */
export class EventBus {
  private readonly listeners = new Set<EventListener>()

  /** Validates and delivers one event to every listener. */
  publish<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload)
    for (const listener of this.listeners) {
      listener(event, checked)
    }
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }
}
