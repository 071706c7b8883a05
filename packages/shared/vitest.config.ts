import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The image kit is generated on first use: about a minute on an idle machine, more when shared.
    hookTimeout: 300_000,
  },
});
