/**
 * Serves the built SPA with a history fallback to index.html for non-/api GETs. If the web app is
 * not built, answers a page saying how to build it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

const NOT_BUILT_PAGE = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BYOI Console: web app not built</title></head>
<body><main><h1>The web app is not built yet</h1>
<p>The API is running, but there is no built web app in <code>${escapeHtml(dir)}</code>.</p>
<p>Build it with <code>pnpm build</code> at the repository root (or set <code>WEB_DIST_DIR</code> to a built copy), then reload this page.</p>
</main></body></html>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function webApp(distDir: string): Router {
  const router = Router();
  const indexFile = path.join(distDir, 'index.html');
  router.use(express.static(distDir, { index: false, fallthrough: true }));
  router.get(/.*/, (req, res, next) => {
    if (req.path === '/api' || req.path.startsWith('/api/')) return next();
    if (!existsSync(indexFile)) {
      res.status(503).type('html').send(NOT_BUILT_PAGE(distDir));
      return;
    }
    res.sendFile(indexFile);
  });
  return router;
}
