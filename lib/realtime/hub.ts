/**
 * The event hub: every event of a session gets the session's next `seq`, is kept in a replay
 * window bounded in events and bytes (per session, and in total for the in-process hub) and is
 * delivered to that session's subscribers. A frame is serialized once and the same string goes
 * to every socket.
 *
 * Two transports share this surface (`EventHub`): the in-process `Hub` below (the default), and
 * `RedisHub` (lib/realtime/redis.ts), which server.ts installs at start when REDIS_URL is set so
 * that every instance sees every event with one seq numbering. This module never imports the
 * Redis client, so Next's route-handler bundles stay free of it.
 */
import type { EventName, EventPayload } from "@/lib/contract/events";
import { env } from "@/lib/env";
import { singleton } from "@/lib/singleton";

export type { EventName, EventPayload } from "@/lib/contract/events";

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
  /** What `window` holds, counted by `frameBytes`. */
  bytes: number;
  listeners: Set<Listener>;
}

/** How many idle sessions keep their replay window; the least recently used go first. */
const MAX_IDLE_CHANNELS = 5000;

/** Any character beyond Latin-1 (a dash, an arrow, an emoji, CJK): V8 then stores every character in two bytes. */
const TWO_BYTE = /[\u0100-\uffff]/;

/**
 * A kept frame's share of memory: what V8 stores for the string (one byte a character, or two
 * when any is beyond Latin-1, as in most models' prose) plus about what its Delivery object and
 * window slot take.
 */
const frameBytes = (frame: string) => (TWO_BYTE.test(frame) ? frame.length * 2 : frame.length) + 64;

export interface HubLimits {
  /** Frames kept per session (TANDEM_REPLAY_EVENTS). */
  events: number;
  /** Bytes kept per session (TANDEM_REPLAY_BYTES). */
  bytes: number;
  /** Bytes kept across all sessions (TANDEM_REPLAY_TOTAL_BYTES). */
  totalBytes: number;
}

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
  private retained = 0;

  constructor(private readonly limits: HubLimits) {}

  /** Bytes the replay windows hold, across sessions (at most `limits.totalBytes`). */
  get bytes(): number {
    return this.retained;
  }

  private channel(sessionId: string): Channel {
    let channel = this.channels.get(sessionId);
    if (channel) {
      // Re-insert to keep Map order = least recently used first.
      this.channels.delete(sessionId);
    } else {
      channel = { seq: 0, window: [], bytes: 0, listeners: new Set() };
      this.evictIdle();
    }
    this.channels.set(sessionId, channel);
    return channel;
  }

  private evictIdle() {
    if (this.channels.size < MAX_IDLE_CHANNELS) return;
    for (const [id, channel] of this.channels) {
      if (channel.listeners.size === 0) {
        this.forget(id, channel);
        return;
      }
    }
  }

  private forget(sessionId: string, channel: Channel) {
    this.retained -= channel.bytes;
    this.channels.delete(sessionId);
  }

  /** Drops a window's oldest frames until it holds at most `events` frames and `bytes` bytes. */
  private trim(channel: Channel, events: number, bytes: number) {
    let drop = 0;
    let kept = channel.bytes;
    while (drop < channel.window.length && (channel.window.length - drop > events || kept > bytes)) {
      kept -= frameBytes(channel.window[drop++].frame);
    }
    if (drop === 0) return;
    channel.window.splice(0, drop);
    this.retained -= channel.bytes - kept;
    channel.bytes = kept;
  }

  /**
   * Past the total bound: idle sessions' windows go first, least recently used first, then the
   * oldest frames of the largest windows. It frees down to 7/8 of the bound, so that a hub at
   * its bound does not walk every session on every publish.
   */
  private fitTotal() {
    if (this.retained <= this.limits.totalBytes) return;
    const target = Math.floor((this.limits.totalBytes * 7) / 8);
    for (const channel of this.channels.values()) {
      if (this.retained <= target) return;
      if (channel.listeners.size === 0) this.trim(channel, 0, 0);
    }
    const largest = [...this.channels.values()].filter((c) => c.bytes > 0).sort((a, b) => b.bytes - a.bytes);
    // Lower one cap on every window, step by step, largest first, until the total fits.
    let cap = largest[0]?.bytes ?? 0;
    while (this.retained > target && cap > 0) {
      cap = Math.floor((cap * 3) / 4);
      for (const channel of largest) {
        if (this.retained <= target) return;
        if (channel.bytes > cap) this.trim(channel, Infinity, cap);
      }
    }
  }

  publish<E extends EventName>(sessionId: string, event: E, payload: EventPayload<E>): void {
    const channel = this.channel(sessionId);
    const seq = ++channel.seq;
    const delivery = { seq, frame: JSON.stringify({ event, payload, seq }) };
    const size = frameBytes(delivery.frame);
    channel.window.push(delivery);
    channel.bytes += size;
    this.retained += size;
    // A frame larger than the session's bound is delivered but not kept.
    this.trim(channel, this.limits.events, this.limits.bytes);
    this.fitTotal();
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
    if (channel && channel.listeners.size === 0) this.forget(sessionId, channel);
  }

  async close(): Promise<void> {}
}

interface HubSlot {
  hub: EventHub | null;
}
const slot = () => singleton<HubSlot>("hub-slot", () => ({ hub: null }));

/** The process's hub: the one installed at start (see server.ts), else the in-process one. */
export const hub = (): EventHub =>
  (slot().hub ??= new Hub({
    events: env.TANDEM_REPLAY_EVENTS,
    bytes: env.TANDEM_REPLAY_BYTES,
    totalBytes: env.TANDEM_REPLAY_TOTAL_BYTES,
  }));

/** Makes `hub` the process's transport (call at start, before anything publishes). */
export function installHub(next: EventHub): void {
  slot().hub = next;
}

/** Announces an event on the session's channel; the payload is checked against the contract's event map. */
export function publish<E extends EventName>(sessionId: string, event: E, payload: EventPayload<E>): void {
  hub().publish(sessionId, event, payload);
}
