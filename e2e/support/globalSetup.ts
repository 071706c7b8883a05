/** Makes the image kit once before the workers start (they then find it cached). */
import { ensureImages } from '../fixtures/index.ts';

export default async function globalSetup(): Promise<void> {
  await ensureImages();
}
