/**
 * Event fan-out through Redis, for several instances behind one load balancer (REDIS_URL).
 *
 * 1. Keys. Per session, `<prefix>seq:{<id>}` holds the last seq and `<prefix>events:{<id>}` is a
 *    stream of at most TANDEM_REPLAY_EVENTS entries and TANDEM_REPLAY_BYTES bytes of frames
 *    (their total kept in `<prefix>bytes:{<id>}`), each stored under the id `<seq>-0` with its
 *    frame. All three expire a week after the session's last event (less up to the hour between
 *    refreshes of their expiry, KEY_TTL_REFRESH_MS).
 * 2. Publish. The publishes of one tick are gathered and go to Redis as one Lua script call
 *    (per up to SESSIONS_PER_CALL sessions) that, for each session, takes its seqs (INCRBY),
 *    XADDs its frames, trims and PUBLISHes each frame on the session's channel, atomically, so
 *    seq order, stream order and pub/sub order agree across instances. One round trip per tick,
 *    whatever the number of sessions and events, without waiting for the previous tick's answer.
 *    A call spans sessions, so Redis is one server (with replicas if wanted), not a cluster.
 * 3. Delivery. An instance SUBSCRIBEs (on a dedicated connection) to the sessions its clients
 *    watch and delivers each frame, its own included, when it arrives, in seq order. A new
 *    watcher replays `since` from the stream (XRANGE), buffering live frames meanwhile.
 * 4. Outage. Publishing never throws or waits for Redis: when Redis is unreachable, events are
 *    delivered to this instance's clients only (numbered on from the last seq seen), the outage
 *    is logged once, and the connections retry with backoff. When both are back, every watched
 *    channel is resubscribed and its clients get a `resync` frame carrying Redis's seq (what was
 *    published during the outage reached only the instance that published it), then fan-out
 *    resumes.
 */
import { Redis } from "ioredis";
import type { EventName, EventPayload } from "@/lib/contract/events";
import { log } from "@/lib/log";
import { type Delivery, type EventHub, resyncFrame, type Subscription } from "./hub";

type Listener = (delivery: Delivery) => void;

/**
 * INCRBY + XADD + trim + PUBLISH for the frames of one tick, every session's in one step. KEYS:
 * seq, stream and bytes of each session. ARGV: max entries, ttl, ttl refresh, max bytes, then
 * per session its channel, its frame count and each frame's head, in publish order. Trimming is
 * exact and oldest first, so a stream never holds more than its bounds (a frame larger than the
 * byte bound is published but not kept); the byte total is rebuilt whenever the stream runs
 * empty, so a stream trimmed by hand cannot skew it for long. Each frame is published on its own,
 * so every instance reads the same one-frame messages. The keys' expiry is renewed once it has
 * run down by the refresh interval, not every tick: PEXPIRE is a write, replicated like any other.
 */
const PUBLISH_SCRIPT = `
local maxlen, ttl, refresh, maxbytes = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local a = 5
for s = 1, #KEYS, 3 do
  local seqKey, streamKey, bytesKey = KEYS[s], KEYS[s + 1], KEYS[s + 2]
  local channel, count = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  local first = redis.call('INCRBY', seqKey, count) - count
  local frames = {}
  local added = 0
  for i = 1, count do
    local n = string.format('%d', first + i)
    local frame = ARGV[a] .. n .. '}'
    a = a + 1
    redis.call('XADD', streamKey, n .. '-0', 'f', frame)
    frames[i] = frame
    added = added + #frame
  end
  local len = redis.call('XLEN', streamKey)
  local bytes = redis.call('INCRBY', bytesKey, added)
  local last = nil
  local batch = math.max(len - maxlen, 1)
  while len > 0 and (len > maxlen or bytes > maxbytes) do
    local oldest = redis.call('XRANGE', streamKey, last and ('(' .. last) or '-', '+', 'COUNT', batch)
    if #oldest == 0 then break end
    batch = batch * 2
    for _, entry in ipairs(oldest) do
      if len <= maxlen and bytes <= maxbytes then break end
      last = entry[1]
      len = len - 1
      bytes = bytes - #entry[2][2]
    end
  end
  if last then
    redis.call('XTRIM', streamKey, 'MINID', string.format('%d', tonumber(string.match(last, '^%d+')) + 1))
    if len == 0 then bytes = 0 end
    redis.call('SET', bytesKey, bytes, 'KEEPTTL')
  end
  for i = 1, count do redis.call('PUBLISH', channel, frames[i]) end
  if redis.call('PTTL', streamKey) < ttl - refresh then
    redis.call('PEXPIRE', seqKey, ttl)
    redis.call('PEXPIRE', streamKey, ttl)
    redis.call('PEXPIRE', bytesKey, ttl)
  end
end
return 1
`;

const KEY_TTL_MS = 7 * 24 * 3600 * 1000;
/** A session's keys get their week again once it has run down by this much: hourly, not every tick. */
const KEY_TTL_REFRESH_MS = 3600 * 1000;
/**
 * Sessions per publish call. One call for a tick's sessions saves Redis a script start per
 * session (about half its time) and this process a command each; the bound keeps any one call
 * short, so other instances' commands are not held up behind a tick of a thousand streams.
 */
const SESSIONS_PER_CALL = 100;

export interface RedisHubOptions {
  url: string;
  /** Prepended to every key and channel (`tandem:` by default). */
  prefix: string;
  /** Entries kept per session for replay. */
  windowSize: number;
  /** Bytes of frames kept per session for replay. */
  windowBytes: number;
}

interface Channel {
  sessionId: string;
  listeners: Set<Listener>;
  /** The last seq delivered to this channel's listeners. */
  seq: number;
  /** false until subscribed and `seq` read from Redis; frames wait in `pending` meanwhile. */
  live: boolean;
  /** Past its opening: recovery resubscribes it (an opening channel subscribes itself). */
  opened: boolean;
  /** Bumped by recovery, so a gap fill started before it does not apply after it. */
  epoch: number;
  pending: Delivery[];
  ready: Promise<void>;
}

interface Outgoing {
  sessionId: string;
  head: string;
  state: "sent" | "done" | "local";
}

/** The script's arguments: the number of keys, the keys, then ARGV (see PUBLISH_SCRIPT). */
type Commands = Redis & {
  tandemPublish(numberOfKeys: number, keys: string[], args: Array<string | number>): Promise<number>;
};

const seqOf = (frame: string) => Number(frame.slice(frame.lastIndexOf(":") + 1, -1));

export class RedisHub implements EventHub {
  private readonly cmd: Commands;
  private readonly sub: Redis;
  private readonly channels = new Map<string, Channel>();
  /** Publishes in call order, until Redis has taken them or they were delivered locally. */
  private outbox: Outgoing[] = [];
  /** This tick's publishes to Redis, sent together once the tick is over. */
  private tick: Outgoing[] | null = null;
  /** Sessions deleted during this tick: their keys go once the tick's frames have gone out. */
  private dropping: string[] = [];
  /** Publishes made while recovering; they go out once the channels are back in step. */
  private held: Outgoing[] | null = null;
  private healthy = false;
  private recovering: Promise<void> | null = null;
  private closing = false;
  /** An outage has been logged and not yet its end. */
  private down = false;
  private recoverTimer: NodeJS.Timeout | null = null;
  private inRecovery = false;
  private readonly channelPrefix: string;

  constructor(private readonly options: RedisHubOptions) {
    const common = {
      // Fail fast rather than queue: an event Redis cannot take now is delivered locally.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      connectTimeout: 2000,
      // A Redis that hangs counts as gone: the event is delivered locally and recovery follows.
      commandTimeout: 3000,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 2000),
      lazyConnect: true,
    };
    this.cmd = new Redis(options.url, {
      ...common,
      enableAutoPipelining: true,
      connectionName: "tandem-events",
    }) as Commands;
    this.cmd.defineCommand("tandemPublish", { lua: PUBLISH_SCRIPT });
    this.sub = new Redis(options.url, { ...common, connectionName: "tandem-events-sub" });
    this.channelPrefix = `${options.prefix}events:{`;
    for (const conn of [this.cmd, this.sub]) {
      conn.on("error", (err) => log.debug({ err: err.message }, "redis connection error"));
      conn.on("close", () => this.markDown(new Error("connection closed")));
      conn.on("ready", () => this.maybeRecover());
    }
    this.sub.on("message", (channel: string, frame: string) => this.onMessage(channel, frame));
  }

  /** Connects; resolves once fan-out works, or after `timeoutMs` (running locally meanwhile). */
  async start(timeoutMs = 3000): Promise<void> {
    for (const conn of [this.cmd, this.sub]) conn.connect().catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    while (!this.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.healthy) this.markDown(new Error(`Redis did not answer within ${timeoutMs} ms`));
  }

  /** Whether events currently go through Redis (false: delivered in this instance only). */
  get connected(): boolean {
    return this.healthy;
  }

  // -------------------------------------------------------------------------------------------
  // Keys

  private seqKey = (id: string) => `${this.options.prefix}seq:{${id}}`;
  private streamKey = (id: string) => `${this.options.prefix}events:{${id}}`;
  private bytesKey = (id: string) => `${this.options.prefix}bytes:{${id}}`;
  private channelName = (id: string) => `${this.channelPrefix}${id}}`;

  // -------------------------------------------------------------------------------------------
  // Publishing

  publish<E extends EventName>(sessionId: string, event: E, payload: EventPayload<E>): void {
    // JSON.stringify({ event, payload, seq }) once the script has chosen seq.
    const head = `${JSON.stringify({ event, payload }).slice(0, -1)},"seq":`;
    const out: Outgoing = { sessionId, head, state: "sent" };
    if (this.held) {
      this.held.push(out);
      return;
    }
    this.send(out);
  }

  private send(out: Outgoing) {
    this.outbox.push(out);
    if (!this.healthy) {
      out.state = "local";
      this.drain();
      return;
    }
    if (this.tick) {
      this.tick.push(out);
      return;
    }
    this.tick = [out];
    // After the I/O callbacks of this loop turn, so that every run's tokens of one turn share it.
    setImmediate(() => this.flush());
  }

  /**
   * The tick's frames go out as one script call per SESSIONS_PER_CALL sessions, each session's
   * frames in publish order. The calls share one connection, so Redis runs them in order.
   */
  private flush() {
    const outs = this.tick ?? [];
    const dropping = this.dropping;
    this.tick = null;
    this.dropping = [];
    if (!this.healthy) {
      for (const out of outs) out.state = "local";
      this.drain();
      return;
    }
    const bySession = new Map<string, Outgoing[]>();
    for (const out of outs) {
      const group = bySession.get(out.sessionId);
      if (group) group.push(out);
      else bySession.set(out.sessionId, [out]);
    }
    const sessions = [...bySession];
    for (let i = 0; i < sessions.length; i += SESSIONS_PER_CALL)
      this.publishCall(sessions.slice(i, i + SESSIONS_PER_CALL));
    for (const id of dropping) this.unlink(id);
  }

  private publishCall(sessions: Array<[string, Outgoing[]]>) {
    const keys: string[] = [];
    const args: Array<string | number> = [
      this.options.windowSize,
      KEY_TTL_MS,
      KEY_TTL_REFRESH_MS,
      this.options.windowBytes,
    ];
    for (const [id, group] of sessions) {
      keys.push(this.seqKey(id), this.streamKey(id), this.bytesKey(id));
      args.push(this.channelName(id), group.length);
      for (const out of group) args.push(out.head);
    }
    const settle = (state: Outgoing["state"]) => {
      for (const [, group] of sessions) for (const out of group) out.state = state;
    };
    this.cmd
      .tandemPublish(keys.length, keys, args)
      .then(
        () => settle("done"),
        (err: Error) => {
          settle("local");
          this.markDown(err);
        },
      )
      .finally(() => this.drain());
  }

  /** Local deliveries happen in publish order, after every earlier publish has settled. */
  private drain() {
    while (this.outbox.length && this.outbox[0].state !== "sent") {
      const out = this.outbox.shift()!;
      if (out.state === "local") this.deliverLocally(out);
    }
  }

  private deliverLocally(out: Outgoing) {
    const channel = this.channels.get(out.sessionId);
    if (!channel) return;
    const seq = channel.seq + 1;
    this.deliver(channel, { seq, frame: `${out.head}${seq}}` });
  }

  drop(sessionId: string): void {
    if (!this.healthy || this.held) return; // the keys expire on their own
    // After the session's last publish on the same connection, so it still reaches everyone:
    // behind this tick's script call when the tick has one.
    if (this.tick) this.dropping.push(sessionId);
    else this.unlink(sessionId);
  }

  private unlink(sessionId: string) {
    this.cmd.unlink(this.seqKey(sessionId), this.streamKey(sessionId), this.bytesKey(sessionId)).catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------
  // Receiving

  private onMessage(name: string, frame: string) {
    if (!name.startsWith(this.channelPrefix)) return;
    const channel = this.channels.get(name.slice(this.channelPrefix.length, -1));
    if (!channel) return;
    const delivery = { seq: seqOf(frame), frame };
    if (!channel.live || this.recovering) {
      channel.pending.push(delivery);
      return;
    }
    // While Redis is (or was just) unreachable this instance numbers locally; recovery resyncs.
    if (!this.healthy) return;
    this.accept(channel, delivery);
  }

  private accept(channel: Channel, d: Delivery) {
    if (d.seq <= channel.seq) return; // already delivered (replay overlap)
    if (d.seq === channel.seq + 1) {
      this.deliver(channel, d);
      return;
    }
    // A gap: frames were lost (e.g. a reconnect nobody noticed yet); fill it from the stream.
    channel.live = false;
    channel.pending.push(d);
    const from = channel.seq + 1;
    const epoch = channel.epoch;
    channel.ready = this.range(channel.sessionId, from, d.seq - 1)
      .then((missed) => {
        if (channel.epoch !== epoch) return; // recovery resynced the channel meanwhile
        if (missed.length === d.seq - from) for (const m of missed) this.deliver(channel, m);
        else this.resync(channel, d.seq - 1, "events were lost");
        this.goLive(channel);
      })
      .catch(() => {
        if (channel.epoch !== epoch) return;
        this.resync(channel, d.seq - 1, "events were lost");
        this.goLive(channel);
      });
  }

  private deliver(channel: Channel, d: Delivery) {
    channel.seq = d.seq;
    for (const listener of channel.listeners) listener(d);
  }

  private resync(channel: Channel, seq: number, reason: string) {
    this.deliver(channel, { seq, frame: resyncFrame(seq, reason), resync: true });
  }

  private goLive(channel: Channel) {
    const pending = channel.pending.sort((a, b) => a.seq - b.seq);
    channel.pending = [];
    channel.live = true;
    if (!this.healthy && !this.inRecovery) return; // numbered locally now; recovery resyncs
    for (const d of pending) {
      if (!channel.live)
        channel.pending.push(d); // a gap fill started; it takes the rest
      else this.accept(channel, d);
    }
  }

  private async range(sessionId: string, from: number, to: number): Promise<Delivery[]> {
    if (to < from) return [];
    const entries = await this.cmd.xrange(this.streamKey(sessionId), `${from}-0`, `${to}-0`);
    return entries.map(([id, fields]) => ({ seq: Number(id.slice(0, id.indexOf("-"))), frame: fields[1] }));
  }

  // -------------------------------------------------------------------------------------------
  // Subscribing

  private openChannel(sessionId: string): Channel {
    const existing = this.channels.get(sessionId);
    if (existing) return existing;
    const channel: Channel = {
      sessionId,
      listeners: new Set(),
      seq: 0,
      live: false,
      opened: false,
      epoch: 0,
      pending: [],
      ready: Promise.resolve(),
    };
    this.channels.set(sessionId, channel);
    channel.ready = (async () => {
      // Recovery only resynchronizes channels that are already live; this one joins after it.
      if (this.recovering) await this.recovering;
      if (this.healthy) {
        try {
          await this.sub.subscribe(this.channelName(sessionId));
          channel.seq = Number((await this.cmd.get(this.seqKey(sessionId))) ?? 0);
        } catch (err) {
          this.markDown(err as Error);
        }
      }
      // Unreachable: numbered locally from 0 until recovery resyncs the channel.
      channel.opened = true;
      this.goLive(channel);
    })();
    return channel;
  }

  async subscribe(sessionId: string, since: number | undefined, listener: Listener): Promise<Subscription> {
    const channel = this.openChannel(sessionId);
    // Register at once, buffering, so nothing published from now on is missed.
    let buffer: Delivery[] | null = [];
    const wrapped: Listener = (d) => (buffer ? buffer.push(d) : listener(d));
    channel.listeners.add(wrapped);
    const unsubscribe = () => {
      channel.listeners.delete(wrapped);
      if (channel.listeners.size === 0 && this.channels.get(sessionId) === channel) {
        this.channels.delete(sessionId);
        if (this.sub.status === "ready") this.sub.unsubscribe(this.channelName(sessionId)).catch(() => undefined);
      }
    };
    while (!channel.live) await channel.ready;
    const current = channel.seq;
    let replayed = since === undefined || since === current;
    let replay: Delivery[] = [];
    if (since !== undefined && since < current && this.healthy) {
      replay = await this.range(sessionId, since + 1, current).catch(() => []);
      replayed = replay.length === current - since;
    }
    const live = buffer;
    buffer = null;
    const reset = live.findLastIndex((d) => d.resync);
    if (reset >= 0) {
      // The numbering restarted while this client was joining: its resync says where from.
      for (const d of live.slice(reset)) listener(d);
      return { seq: current, replayed: true, unsubscribe };
    }
    if (replayed) for (const d of replay) listener(d);
    for (const d of live) if (d.seq > current) listener(d);
    return { seq: current, replayed, unsubscribe };
  }

  // -------------------------------------------------------------------------------------------
  // Outage and recovery

  private markDown(err: Error) {
    if (this.closing) return;
    this.healthy = false;
    // Frames held for channels in step with Redis may be from before a Redis restart.
    for (const channel of this.channels.values()) if (channel.opened) channel.pending = [];
    if (!this.down) {
      this.down = true;
      log.warn(
        { err: err.message },
        "Redis is unreachable: events reach this instance's clients only until it returns",
      );
    }
    // If both connections are still up (a command failed), get back in step soon.
    this.recoverTimer ??= setTimeout(() => {
      this.recoverTimer = null;
      this.maybeRecover();
    }, 500).unref();
  }

  private maybeRecover() {
    if (this.closing || this.healthy || this.recovering) return;
    if (this.cmd.status !== "ready" || this.sub.status !== "ready") return;
    this.held = [];
    this.recovering = this.recover()
      .then(
        () => {
          this.healthy = true;
          if (this.down) log.info({ channels: this.channels.size }, "Redis is reachable again: event fan-out resumed");
          this.down = false;
        },
        (err: Error) => log.debug({ err: err.message }, "Redis recovery failed; retrying"),
      )
      .finally(() => {
        this.recovering = null;
        const held = this.held ?? [];
        this.held = null;
        for (const out of held) this.send(out);
        if (!this.healthy) this.markDown(new Error("recovery failed"));
      });
  }

  /** Resubscribes every open channel and resyncs its clients to Redis's numbering. */
  private async recover() {
    // Channels still opening subscribe themselves once recovery is over.
    const channels = [...this.channels.values()].filter((c) => c.opened);
    if (channels.length === 0) return;
    await this.sub.subscribe(...channels.map((c) => this.channelName(c.sessionId)));
    const seqs = await this.cmd.mget(...channels.map((c) => this.seqKey(c.sessionId)));
    this.inRecovery = true;
    try {
      channels.forEach((channel, i) => {
        const seq = Number(seqs[i] ?? 0);
        channel.epoch++;
        channel.pending = channel.pending.filter((d) => d.seq > seq);
        this.resync(channel, seq, "event delivery was interrupted");
        this.goLive(channel);
      });
    } finally {
      this.inRecovery = false;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.healthy = false;
    const quit = (conn: Redis) =>
      conn.status === "ready" ? Promise.race([conn.quit(), new Promise((r) => setTimeout(r, 1000))]) : undefined;
    await Promise.allSettled([quit(this.cmd), quit(this.sub)]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}
