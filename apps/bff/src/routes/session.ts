/**
 * `/api/session`: sign in (POST), who am I (GET), sign out (DELETE). Sign-in is throttled per
 * address and per account before the password is even hashed.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { SessionResponse } from '@byoi/shared';
import { sendApiError } from '../apiError.ts';
import { toSessionUserDto, type UserDirectory } from '../auth/users.ts';
import { jsonBody, jsonBodyErrors } from '../middleware/jsonBody.ts';
import type { RateLimits } from '../middleware/rateLimits.ts';
import { requireSession, sessionUser, type Sessions } from '../middleware/session.ts';

const signInSchema = z.object({
  username: z.string().trim().min(1).max(128),
  password: z.string().min(1).max(1024),
});

export interface SessionRouterDeps {
  sessions: Sessions;
  directory: UserDirectory;
  rateLimits: Pick<RateLimits, 'signInPerIp' | 'signInPerUser'>;
}

export function sessionRouter({ sessions, directory, rateLimits }: SessionRouterDeps): Router {
  const router = Router();

  // The sign-in body is parsed here (the app parses others only behind requireSession).
  router.use('/session', jsonBody(), jsonBodyErrors);
  router.post('/session', rateLimits.signInPerIp, rateLimits.signInPerUser, async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const parsed = signInSchema.safeParse(req.body);
    if (!parsed.success) {
      return sendApiError(
        res,
        400,
        'VALIDATION_FAILED',
        'Send a JSON body {"username": "…", "password": "…"}: both are required.',
      );
    }
    const user = await directory.authenticate(parsed.data.username, parsed.data.password);
    if (!user) {
      return sendApiError(res, 401, 'UNAUTHENTICATED', 'Wrong username or password.');
    }
    await sessions.signIn(req, res, user);
    const body: SessionResponse = { user: toSessionUserDto(user) };
    res.json(body);
  });

  router.get('/session', requireSession, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const user = sessionUser(req)!; // requireSession guarantees it
    const body: SessionResponse = { user: toSessionUserDto(user) };
    res.json(body);
  });

  // Every copy of the cookie stops working, on every replica (middleware/session.ts).
  router.delete('/session', async (req, res) => {
    await sessions.signOut(req, res);
    res.status(204).end();
  });

  return router;
}
