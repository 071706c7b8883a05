/**
 * Makes the image kit once before the workers start (they then find it cached), and removes the
 * run directory (users file, the simulator's keys, captured responses, logs) when the run ends;
 * set E2E_KEEP_RUN_DIR=1 to keep it for a look.
 */
import { rm } from 'node:fs/promises';
import { ensureImages } from '@byoi/test-kit';
import { RUN_DIR } from './env.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  await ensureImages();
  return async () => {
    if (process.env.E2E_KEEP_RUN_DIR !== '1') await rm(RUN_DIR, { recursive: true, force: true });
  };
}
