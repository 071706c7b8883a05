import { setTimeout as delay } from 'node:timers/promises';

/**
 * The install engine's notion of time: every step delay is divided by `speed`, so tests can run
 * a several-minute install in milliseconds while demos keep a human pace.
 */
export class Clock {
  #speed: number;

  constructor(speed = 1) {
    this.#speed = Clock.checkSpeed(speed);
  }

  get speed(): number {
    return this.#speed;
  }

  set speed(value: number) {
    this.#speed = Clock.checkSpeed(value);
  }

  /** Waits `ms` of simulated time; rejects with an AbortError when `signal` fires. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await delay(Math.max(0, ms / this.#speed), undefined, signal ? { signal } : undefined);
  }

  private static checkSpeed(value: number): number {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `clockSpeed must be a positive number (got ${String(value)}); use 1 for real time or e.g. 100 to run installs 100× faster.`,
      );
    }
    return value;
  }
}
