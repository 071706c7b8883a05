import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Installs download real images (a 1 GiB one in memory.test.ts).
    testTimeout: 60_000,
    // The image kit is generated on first use: about a minute on an idle machine, more when shared.
    hookTimeout: 300_000,
    // Tests share https.globalAgent trust and measure RSS: one file at a time.
    fileParallelism: false,
    // memory.test.ts collects garbage before taking its RSS baseline.
    execArgv: ['--expose-gc'],
  },
});
