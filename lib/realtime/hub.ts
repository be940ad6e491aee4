/**
 * The event hub: every event of a session gets the session's next `seq`, is kept in a bounded
 * replay window and is delivered to that session's subscribers. A frame is serialized once and
 * the same string goes to every socket.
 *
 * Two transports share this surface (`EventHub`): the in-process `Hub` below (the default), and
 * `RedisHub` (lib/realtime/redis.ts), which server.ts installs at start when REDIS_URL is set so
 * that every instance sees every event with one seq numbering. This module never imports the
 * Redis client, so Next's route-handler bundles stay free of it.
 */
import type { EventName, EventPayload } from "../contract/events.ts";
import { env } from "../env.ts";
import { singleton } from "../singleton.ts";

export type { EventName, EventPayload } from "../contract/events.ts";

export interface Delivery {
  seq: number;
  frame: string;
  /** A `resync` frame: the numbering restarts at `seq`; what came before may be incomplete. */
  resync?: boolean;
}

type Listener = (delivery: Delivery) => void;

interface Channel {
  seq: number;
  window: Delivery[];
  listeners: Set<Listener>;
}

/** How many idle sessions keep their replay window; the least recently used go first. */
const MAX_IDLE_CHANNELS = 5000;

export interface Subscription {
  /** The session's latest seq when the subscription began (after replay). */
  seq: number;
  /** false when `since` is older than the window or from a previous server life: nothing was replayed. */
  replayed: boolean;
  unsubscribe(): void;
}

/** What the rest of the app uses; `hub()` returns the installed transport. */
export interface EventHub {
  /** Never throws and never waits: a transport that cannot reach its peers delivers locally. */
  publish<E extends EventName>(sessionId: string, event: E, payload: EventPayload<E>): void;
  /**
   * Replays the events after `since` (when still kept), then delivers live ones, in order with
   * no gap and no duplicate. The in-process hub answers synchronously.
   */
  subscribe(sessionId: string, since: number | undefined, listener: Listener): Subscription | Promise<Subscription>;
  /** Forget a deleted session's events once its subscribers have been told. */
  drop(sessionId: string): void;
  close(): Promise<void>;
}

export function resyncFrame(seq: number, reason = "replay window exceeded"): string {
  return JSON.stringify({ event: "resync", payload: { reason, seq } });
}

export class Hub implements EventHub {
  private channels = new Map<string, Channel>();

  constructor(private readonly windowSize: number) {}

  private channel(sessionId: string): Channel {
    let channel = this.channels.get(sessionId);
    if (channel) {
      // Re-insert to keep Map order = least recently used first.
      this.channels.delete(sessionId);
    } else {
      channel = { seq: 0, window: [], listeners: new Set() };
      this.evictIdle();
    }
    this.channels.set(sessionId, channel);
    return channel;
  }

  private evictIdle() {
    if (this.channels.size < MAX_IDLE_CHANNELS) return;
    for (const [id, channel] of this.channels) {
      if (channel.listeners.size === 0) {
        this.channels.delete(id);
        return;
      }
    }
  }

  publish<E extends EventName>(sessionId: string, event: E, payload: EventPayload<E>): void {
    const channel = this.channel(sessionId);
    const seq = ++channel.seq;
    const delivery = { seq, frame: JSON.stringify({ event, payload, seq }) };
    channel.window.push(delivery);
    if (channel.window.length > this.windowSize) channel.window.splice(0, channel.window.length - this.windowSize);
    for (const listener of channel.listeners) listener(delivery);
  }

  /**
   * Delivers the events after `since` still in the window, then live ones, in order with no gap
   * and no duplicate (replay and registration happen in one synchronous step).
   */
  subscribe(sessionId: string, since: number | undefined, listener: Listener): Subscription {
    const channel = this.channel(sessionId);
    const oldest = channel.window[0]?.seq ?? channel.seq + 1;
    // A seq this server never issued means it restarted since; one older than the window is lost.
    const replayed = since === undefined || (since <= channel.seq && since >= oldest - 1);
    if (since !== undefined && replayed) {
      for (const d of channel.window) if (d.seq > since) listener(d);
    }
    channel.listeners.add(listener);
    return {
      seq: channel.seq,
      replayed,
      unsubscribe: () => channel.listeners.delete(listener),
    };
  }

  /** Forget a deleted session's window once its subscribers have been told. */
  drop(sessionId: string) {
    const channel = this.channels.get(sessionId);
    if (channel && channel.listeners.size === 0) this.channels.delete(sessionId);
  }

  async close(): Promise<void> {}
}

interface HubSlot {
  hub: EventHub | null;
}
const slot = () => singleton<HubSlot>("hub-slot", () => ({ hub: null }));

/** The process's hub: the one installed at start (see server.ts), else the in-process one. */
export const hub = (): EventHub => (slot().hub ??= new Hub(env.TANDEM_REPLAY_EVENTS));

/** Makes `hub` the process's transport (call at start, before anything publishes). */
export function installHub(next: EventHub): void {
  slot().hub = next;
}

/** Announces an event on the session's channel; the payload is checked against the contract's event map. */
export function publish<E extends EventName>(sessionId: string, event: E, payload: EventPayload<E>): void {
  hub().publish(sessionId, event, payload);
}
