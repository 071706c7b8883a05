import { describe, expect, it } from 'vitest';
import { entryAssets } from './web.ts';

describe("index.html's first-load assets", () => {
  it('takes module scripts, stylesheets and module preloads, and nothing else', () => {
    const html = `<!doctype html><html><head>
      <link rel="icon" href="/favicon.svg" />
      <script type="module" crossorigin src="/assets/index-a1.js"></script>
      <link rel="modulepreload" crossorigin href="/assets/vendor-b2.js">
      <link rel="stylesheet" crossorigin href="/assets/index-c3.css">
      <link rel="preload" as="font" href="/assets/font.woff2">
    </head><body><div id="root"></div></body></html>`;
    expect(entryAssets(html)).toEqual([
      '/assets/index-a1.js',
      '/assets/vendor-b2.js',
      '/assets/index-c3.css',
    ]);
  });
});
