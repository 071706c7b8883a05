/**
 * Checking an image before the server is wiped: `POST /:sn/preflight` answers a report of checks,
 * `POST /:sn/preflight/verify` downloads the image once and streams the checksum verification as
 * server-sent events. Both are for operators, on servers they may see; closing the connection stops
 * the work (and the download) at once.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  byoiFormSchema,
  checksumFileURLSchema,
  httpHeaderNamesRule,
  type PreflightReport,
  type PreflightRequest,
} from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { firstProblem, parseJsonRequest } from '../jsonRequest.ts';
import type { Config } from '../config.ts';
import { requireRole, requireServerAccess } from '../middleware/requireRole.ts';
import { sessionUser } from '../middleware/session.ts';
import type { OvhApi } from '../ovh/api.ts';
import { createPreflightFetch } from '../preflight/preflightFetch.ts';
import { runPreflight } from '../preflight/runPreflight.ts';
import { runVerify } from '../preflight/runVerify.ts';
import type { SafeFetch } from '../preflight/safeFetch.ts';
import { toHardwareDto } from '../servers/mapping.ts';
import { requireServer } from '../servers/requireServer.ts';
import type { ImageLibrary } from '../store/imageLibrary.ts';
import { withLibraryImage } from './libraryImageRef.ts';

export interface PreflightDeps {
  ovh: OvhApi;
  config: Pick<Config, 'mode' | 'preflightAllowHosts'>;
  /** The guarded client; built from `config` when absent. */
  fetch?: SafeFetch;
  /** Least time between two `progress` events. */
  progressIntervalMs?: number;
  /** Most checksum verifications one user may run at once. */
  maxVerificationsPerUser?: number;
  /** Keeps the verdict of a check of a library image version as its last check. */
  library?: Pick<ImageLibrary, 'recordCheck'>;
}

/** Each verification downloads a whole image: a few at once per user is plenty. */
export const MAX_VERIFICATIONS_PER_USER = 2;

const shape = byoiFormSchema.shape;

/** The image fields of the install form, same rules; other form fields are ignored. */
export const preflightRequestSchema = z
  .object({
    imageURL: shape.imageURL,
    imageType: shape.imageType,
    imageCheckSum: shape.imageCheckSum,
    imageCheckSumType: shape.imageCheckSumType,
    httpHeaders: shape.httpHeaders,
    efiBootloaderPath: shape.efiBootloaderPath,
    checksumFileURL: checksumFileURLSchema,
    libraryImage: shape.libraryImage,
  })
  .superRefine((form, ctx) => httpHeaderNamesRule(form.httpHeaders, ctx));

function parseRequest(req: Request, what: string): PreflightRequest {
  const parsed = parseJsonRequest(
    req,
    preflightRequestSchema,
    what,
    (fieldErrors) =>
      `The image fields have a problem, so nothing was fetched. ${firstProblem(fieldErrors)}`,
  );
  const { httpHeaders, ...rest } = parsed;
  const body: PreflightRequest = { imageURL: rest.imageURL, imageType: rest.imageType };
  if (rest.imageCheckSum !== undefined) body.imageCheckSum = rest.imageCheckSum;
  if (rest.imageCheckSumType !== undefined) body.imageCheckSumType = rest.imageCheckSumType;
  if (rest.checksumFileURL !== undefined) body.checksumFileURL = rest.checksumFileURL;
  if (rest.efiBootloaderPath !== undefined) body.efiBootloaderPath = rest.efiBootloaderPath;
  if (httpHeaders.length > 0) body.httpHeaders = httpHeaders;
  if (rest.libraryImage !== undefined) body.libraryImage = rest.libraryImage;
  return body;
}

/** Aborts when the client goes away before the answer is complete. */
function abortOnClose(res: Response): AbortController {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller;
}

export function preflightRouter(deps: PreflightDeps): Router {
  const { ovh } = deps;
  const fetch = deps.fetch ?? createPreflightFetch(deps.config);
  const maxVerifications = deps.maxVerificationsPerUser ?? MAX_VERIFICATIONS_PER_USER;
  /** Verifications running now, by username. */
  const verifying = new Map<string, number>();
  const router = Router();

  async function serverFacts(sn: string) {
    await requireServer(ovh, sn);
    return toHardwareDto(await ovh.getHardware(sn));
  }

  router.post(
    '/:sn/preflight',
    requireRole('operator'),
    requireServerAccess(),
    async (req, res) => {
      const sn = req.params.sn as string;
      const input = await withLibraryImage(req, parseRequest(req, 'image check'));
      const hardware = await serverFacts(sn);
      const controller = abortOnClose(res);
      const report: PreflightReport = await runPreflight(
        input,
        { name: sn, hardware },
        { fetch, signal: controller.signal },
      );
      if (input.libraryImage !== undefined && deps.library) {
        // The check happened whatever the store says: its answer is not held back for this.
        await deps.library
          .recordCheck(input.libraryImage, {
            verdict: report.verdict,
            server: sn,
            user: sessionUser(req)?.username ?? null,
            predictedMessage: report.predictedMessage ?? null,
            imageURL: input.imageURL,
            imageType: input.imageType,
          })
          .catch((error: unknown) => {
            req.log?.warn(
              { err: error instanceof Error ? { name: error.name, message: error.message } : {} },
              'could not keep the library image check',
            );
          });
      }
      if (!controller.signal.aborted) res.json(report);
    },
  );

  router.post(
    '/:sn/preflight/verify',
    requireRole('operator'),
    requireServerAccess(),
    async (req, res) => {
      const sn = req.params.sn as string;
      const input = await withLibraryImage(req, parseRequest(req, 'checksum verification'));
      if (!input.checksumFileURL && !(input.imageCheckSum && input.imageCheckSumType)) {
        throw new ApiError(
          400,
          'VALIDATION_FAILED',
          'Verify checksum needs the image checksum and its type, or a checksum file URL: there is nothing to compare with.',
          {
            fieldErrors: {
              imageCheckSum: [
                'Paste the image checksum and choose its type, or give a checksum file URL.',
              ],
            },
          },
        );
      }
      const hardware = await serverFacts(sn);
      const user = sessionUser(req)?.username ?? '';
      const running = verifying.get(user) ?? 0;
      if (running >= maxVerifications) {
        throw new ApiError(
          429,
          'RATE_LIMITED',
          `You already have ${running} checksum verifications running, the most at once. Wait for one to finish or stop it, then try again.`,
        );
      }
      verifying.set(user, running + 1);
      res.once('close', () => {
        const left = (verifying.get(user) ?? 1) - 1;
        if (left > 0) verifying.set(user, left);
        else verifying.delete(user);
      });

      res.status(200);
      // no-transform: the compression middleware would otherwise buffer the stream.
      res.set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      const send = (event: string, data: unknown) => {
        if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const controller = abortOnClose(res);
      try {
        const outcome = await runVerify(input, hardware, {
          fetch,
          signal: controller.signal,
          onProgress: (event) => send('progress', event),
          ...(deps.progressIntervalMs !== undefined
            ? { progressIntervalMs: deps.progressIntervalMs }
            : {}),
        });
        if (outcome.kind !== 'cancelled') send(outcome.kind, outcome.body);
      } catch (error) {
        req.log?.error(
          { err: error instanceof Error ? { name: error.name, message: error.message } : {} },
          'checksum verification failed',
        );
        send('error', {
          code: 'INTERNAL',
          message: 'The verification failed on the console server. Try again.',
        });
      }
      res.end();
    },
  );

  return router;
}
