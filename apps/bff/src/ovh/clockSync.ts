/**
 * node-ovh signs every request with OVH's time. Until it knows the offset to the local clock it
 * fetches `GET /auth/time` before *each* call, so a cold burst of 16 detail calls cost 16 extra
 * round trips (and the first screen one more latency). One shared sync, started when the app
 * connects and awaited by the first calls, does the same job once.
 */
import type { OvhClient } from '@ovhcloud/node-ovh';

export class ClockSync {
  #pending: Promise<void> | null = null;

  constructor(
    private readonly client: OvhClient,
    /** `GET /auth/time` (seconds since the epoch), unsigned. */
    private readonly fetchTime: () => Promise<unknown>,
    private readonly now: () => number = Date.now,
  ) {}

  get synced(): boolean {
    return this.client.apiTimeDiff !== null && this.client.apiTimeDiff !== undefined;
  }

  /**
   * Resolves once a sync attempt has ended; never rejects. When it fails, node-ovh keeps doing
   * its own per-call fetch of the time and the next call here tries again.
   */
  ready(): Promise<void> {
    if (this.synced) return Promise.resolve();
    this.#pending ??= this.#sync().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #sync(): Promise<void> {
    try {
      const time = Number(await this.fetchTime());
      // The same offset node-ovh computes itself (lib/ovh.js, `apiTimeDiff`).
      if (Number.isFinite(time)) this.client.apiTimeDiff = time - Math.round(this.now() / 1000);
    } catch {
      // The call that awaited this sync will surface OVH's error itself.
    }
  }
}
