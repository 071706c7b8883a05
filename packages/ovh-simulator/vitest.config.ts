import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Installs download real images and the image kit is generated on first use.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Tests share https.globalAgent trust and measure RSS: one file at a time.
    fileParallelism: false,
  },
});
