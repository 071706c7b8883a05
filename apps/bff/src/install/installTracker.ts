/**
 * What this process knows about installs: which servers it has seen installing (so the fleet list
 * can show "installing" without asking OVH about every server), and a per-server lock so two
 * submits racing in this process cannot both reach OVH.
 */
import type { InstallState } from '@byoi/shared';

export class InstallTracker {
  readonly #running = new Set<string>();
  readonly #locks = new Set<string>();

  /** `onEnded` runs when a server seen running is seen not running (e.g. to drop cached details). */
  constructor(private readonly onEnded: (sn: string) => void = () => undefined) {}

  markRunning(sn: string): void {
    this.#running.add(sn);
  }

  observe(sn: string, state: InstallState): void {
    if (state === 'running') {
      this.#running.add(sn);
    } else if (this.#running.delete(sn)) {
      this.onEnded(sn);
    }
  }

  isKnownRunning(sn: string): boolean {
    return this.#running.has(sn);
  }

  /** False when another submit for `sn` is in flight. */
  tryLock(sn: string): boolean {
    if (this.#locks.has(sn)) return false;
    this.#locks.add(sn);
    return true;
  }

  unlock(sn: string): void {
    this.#locks.delete(sn);
  }
}
