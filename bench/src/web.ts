/**
 * The web app's first load: JS+CSS the page needs (gzip), from the built index.html and as the
 * browser actually fetched it, and Largest Contentful Paint measured in Debian's Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { atMost, BUDGETS, type Measurement } from './budgets.ts';
import type { RunningBff } from './bff.ts';
import { REPO_ROOT, WEB_DIR, WEB_DIST } from './paths.ts';
import { median, round } from './stats.ts';

export const CHROMIUM = '/usr/bin/chromium';
const KB = 1024;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds apps/web when dist is missing or older than its sources, so the figures are current. */
export function ensureWebBuild(log: (line: string) => void): void {
  const index = path.join(WEB_DIST, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(WEB_DIR, 'src')),
    statSync(path.join(WEB_DIR, 'index.html')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  log('Building apps/web (dist is missing or older than its sources)…');
  const built = spawnSync('corepack', ['pnpm', '--filter', '@byoi/web', 'build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', COREPACK_INTEGRITY_KEYS: '0' },
    encoding: 'utf8',
  });
  if (built.status !== 0) {
    throw new Error(`Building apps/web failed:\n${built.stdout}\n${built.stderr}`);
  }
}

const gzipBytes = (body: Buffer) => gzipSync(body).length;

/** The scripts, module preloads and stylesheets index.html references. */
export function entryAssets(html: string): string[] {
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) if (m[1]) refs.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    if (!/\brel="(stylesheet|modulepreload)"/.test(tag)) continue;
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href) refs.add(href);
  }
  return [...refs].filter((ref) => /\.(m?js|css)$/.test(ref));
}

function entryGzipBytes(): { bytes: number; files: number } {
  const html = readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  const assets = entryAssets(html);
  if (assets.length === 0) throw new Error('apps/web/dist/index.html references no JS or CSS.');
  let bytes = 0;
  for (const ref of assets)
    bytes += gzipBytes(readFileSync(path.join(WEB_DIST, ref.replace(/^\//, ''))));
  return { bytes, files: assets.length };
}

/**
 * Runs in the page (a string: this package compiles without the DOM's types). The buffered entries
 * hold every LCP candidate so far; the last is the Largest Contentful Paint.
 */
const LCP_SCRIPT = `new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    resolve(entries.length ? entries[entries.length - 1].startTime : NaN);
  }).observe({ type: 'largest-contentful-paint', buffered: true });
})`;

interface LoadSample {
  lcpMs: number;
  jsCssGzip: number;
  jsCssFiles: number;
}

async function loadOnce(bff: RunningBff): Promise<LoadSample> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  try {
    const context = await browser.newContext();
    await context.addCookies(
      bff.session.cookies.map((c) => ({ name: c.name, value: c.value, url: bff.url })),
    );
    const page = await context.newPage();
    const bodies: Promise<number>[] = [];
    page.on('response', (res) => {
      const type = res.request().resourceType();
      if (type === 'script' || type === 'stylesheet') {
        bodies.push(res.body().then(gzipBytes, () => 0));
      }
    });
    await page.goto(bff.url, { waitUntil: 'load' });
    // The server list is the page's main content: wait until its rows are on screen.
    await page
      .getByRole('table', { name: 'Dedicated servers' })
      .getByRole('link')
      .first()
      .waitFor({ timeout: 15_000 });
    const lcpMs = await page.evaluate<number>(LCP_SCRIPT);
    const sizes = await Promise.all(bodies);
    return { lcpMs, jsCssGzip: sizes.reduce((a, b) => a + b, 0), jsCssFiles: sizes.length };
  } finally {
    await browser.close();
  }
}

export async function measureWeb(bff: RunningBff, runs: number): Promise<Measurement[]> {
  const entry = entryGzipBytes();
  const samples: LoadSample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await loadOnce(bff));
  const loaded = samples[0] ?? { jsCssGzip: Number.NaN, jsCssFiles: 0 };
  const lcps = samples.map((s) => s.lcpMs);
  return [
    {
      id: 'web.firstLoadGzip',
      label: 'Web: first load JS+CSS (gzip), as fetched',
      value: round(loaded.jsCssGzip / KB),
      unit: 'KB',
      budget: atMost(BUDGETS.webFirstLoadGzipBytes / KB, false),
      detail: `${loaded.jsCssFiles} files for the server list`,
    },
    {
      id: 'web.entryGzip',
      label: 'Web: index.html entry JS+CSS (gzip)',
      value: round(entry.bytes / KB),
      unit: 'KB',
      budget: atMost(BUDGETS.webFirstLoadGzipBytes / KB, false),
      detail: `${entry.files} files referenced by dist/index.html`,
    },
    {
      id: 'web.lcp',
      label: 'Web: Largest Contentful Paint (median)',
      value: round(median(lcps)),
      unit: 'ms',
      budget: atMost(BUDGETS.webLcpMs),
      detail: `${runs} cold loads of the server list, Chromium ${browserVersion()}`,
    },
  ];
}

function browserVersion(): string {
  const out = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /(\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1] ?? 'unknown';
}
