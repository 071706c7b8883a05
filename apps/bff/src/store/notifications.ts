/**
 * PostgreSQL's LISTEN on a connection of its own (a `LISTEN` holds its connection for good, so it
 * cannot come from the query pool): every replica hears the NOTIFYs of all of them. A connection
 * that drops tells every subscriber (it may have missed messages) and is made again, with backoff,
 * until the store closes; `onListening` says when messages are heard again.
 */
import pg from 'pg';

export interface ChannelSubscriber {
  /** A NOTIFY's payload, from any replica (this one's included). */
  onMessage(payload: string): void;
  /** LISTEN is in place: from now on, no message on the channel is missed. */
  onListening?(): void;
  /** The connection dropped: messages may be missed until the next `onListening`. */
  onLost?(): void;
}

/** The first reconnect's delay; it doubles at each failure, up to the second. */
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 10_000;

export class NotificationListener {
  readonly #connectionString: string;
  readonly #channels = new Map<string, Set<ChannelSubscriber>>();
  /** The channels LISTENed to on the current connection. */
  readonly #heard = new Set<string>();
  #client: pg.Client | null = null;
  #failures = 0;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(connectionString: string) {
    this.#connectionString = connectionString;
  }

  /** Subscribes to `channel` (connecting on the first subscription); returns the unsubscribe. */
  listen(channel: string, subscriber: ChannelSubscriber): () => void {
    if (this.#closed) return () => undefined;
    let subscribers = this.#channels.get(channel);
    if (!subscribers) this.#channels.set(channel, (subscribers = new Set()));
    subscribers.add(subscriber);
    const client = this.#client;
    if (client === null) {
      if (this.#retry === null) void this.#connect();
    } else if (this.#heard.has(channel)) {
      queueMicrotask(() => {
        if (this.#client === client && subscribers.has(subscriber)) subscriber.onListening?.();
      });
    } else {
      // pg queues the LISTEN until the connection is made, if it is still being made.
      this.#listenOn(client, channel).catch(() => this.#drop(client));
    }
    return () => {
      subscribers.delete(subscriber);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    const client = this.#client;
    this.#client = null;
    this.#heard.clear();
    // Nothing is heard from now on: what subscribers keep on the strength of it must go.
    this.#lost();
    this.#channels.clear();
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    this.#retry = null;
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#connectionString,
      application_name: 'byoi-console listener',
      connectionTimeoutMillis: 10_000,
      // A peer that vanished without closing the connection is noticed, not waited for forever.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    this.#client = client;
    client.on('error', () => this.#drop(client));
    client.on('end', () => this.#drop(client));
    client.on('notification', ({ channel, payload }) => {
      if (this.#client !== client) return;
      for (const subscriber of this.#channels.get(channel) ?? [])
        subscriber.onMessage(payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of this.#channels.keys()) await this.#listenOn(client, channel);
      this.#failures = 0;
    } catch {
      this.#drop(client);
    }
  }

  async #listenOn(client: pg.Client, channel: string): Promise<void> {
    await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    if (this.#client !== client || this.#heard.has(channel)) return;
    this.#heard.add(channel);
    for (const subscriber of this.#channels.get(channel) ?? []) subscriber.onListening?.();
  }

  #drop(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    this.#heard.clear();
    // Its 'error' listener stays: errors of a connection given up on must not go unhandled.
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    this.#lost();
    if (this.#closed) return;
    const delay = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures);
    this.#failures += 1;
    // Jitter: replicas that lost the database together do not all come back at the same instant.
    this.#retry = setTimeout(() => void this.#connect(), delay * (0.5 + Math.random() / 2));
    this.#retry.unref();
  }

  #lost(): void {
    for (const subscribers of this.#channels.values()) {
      for (const subscriber of subscribers) subscriber.onLost?.();
    }
  }
}
