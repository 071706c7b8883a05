/**
 * Which servers this process has seen installing, so the fleet list can show "installing" without
 * asking OVH about every server: installs it submitted, and any install a progress read saw
 * running (also one started outside the console). The console's own installs are also in the
 * store (store/installRecords.ts), which the list reads for what other replicas started. The
 * one-install-per-server lock is in the store too (store/installLocks.ts).
 */
import type { InstallState } from '@byoi/shared';

export class InstallTracker {
  readonly #running = new Set<string>();

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
}
