/**
 * The request line's level: quiet (`debug`) with the simulator so the terminal keeps the banner,
 * `info` (refusals `warn`) in real mode, 5xx always `error`; and the line reads on its own.
 */
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { RequestLogLevel } from '../config.ts';
import { createLogger } from '../logger.ts';
import { requestLogger } from './requestLogger.ts';

function appLogging(level: RequestLogLevel) {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as { level: number; msg: string });
      }
      done();
    },
  });
  const app = express();
  app.use(requestLogger(createLogger({ level: 'info', destination: stream }), { level }));
  app.get('/api/ok', (_req, res) => void res.json({}));
  app.get('/api/refused', (_req, res) => void res.status(401).json({}));
  app.get('/api/broken', (_req, res) => void res.status(500).json({}));
  return { app, lines };
}

describe('request lines', () => {
  it('at debug (simulator default): an info logger writes only the 5xx', async () => {
    const { app, lines } = appLogging('debug');
    await request(app).get('/api/ok?search=private');
    await request(app).get('/api/refused');
    await request(app).get('/api/broken');
    expect(lines.map((l) => [l.level, l.msg.replace(/\(\d+ ms\)/, '(n ms)')])).toEqual([
      [50, 'GET /api/broken → 500 (failed)'],
    ]);
  });

  it('at info (real-mode default): every request, refusals as warnings', async () => {
    const { app, lines } = appLogging('info');
    await request(app).get('/api/ok?search=private');
    await request(app).get('/api/refused');
    await request(app).get('/api/broken');
    expect(lines.map((l) => l.level)).toEqual([30, 40, 50]);
    expect(lines[0]?.msg).toMatch(/^GET \/api\/ok → 200 \(\d+ ms\)$/);
    expect(JSON.stringify(lines)).not.toContain('private');
  });
});
