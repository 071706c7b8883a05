/**
 * Installing a server from the operator's image: submit (validated with the shared form schema,
 * refused while another install runs: the store's per-server lock, then OVH's own answer), follow
 * progress, cancel. Every install OVH accepted gets its record in the store (the history, and the
 * watch's list until its outcome is in the audit log); every progress read tells what it saw.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import {
  buildInstallPayload,
  byoiFormSchemaFor,
  PayloadError,
  type ByoiForm,
  type InstallProgressDto,
  type InstallResponse,
  type InstallRoute,
} from '@byoi/shared';
import { ApiError } from '../apiError.ts';
import { parseJsonRequest } from '../jsonRequest.ts';
import { auditEntryId } from '../audit/auditTrail.ts';
import type { InstallOutcomes } from '../install/installOutcomes.ts';
import type { InstallTracker } from '../install/installTracker.ts';
import type { KnownInstalls } from '../install/knownInstalls.ts';
import { installFacts, libraryImageOf } from '../install/submittedFacts.ts';
import type { Logger } from '../logger.ts';
import { sessionUser } from '../middleware/session.ts';
import {
  buildProgress,
  followInstall,
  isTaskActive,
  latestInstallTask,
  toTaskDto,
} from '../install/progress.ts';
import type { OvhApi } from '../ovh/api.ts';
import { requireServer } from '../servers/requireServer.ts';
import type { InstallLocks } from '../store/installLocks.ts';
import type { InstallRecords } from '../store/installRecords.ts';
import { withLibraryImage } from './libraryImageRef.ts';

export interface InstallDeps {
  ovh: OvhApi;
  tracker: InstallTracker;
  known: KnownInstalls;
  records: InstallRecords;
  locks: InstallLocks;
  installRoute: InstallRoute;
  /** Records each install's outcome in its record and the audit log. */
  outcomes: InstallOutcomes;
  logger: Pick<Logger, 'error'>;
  now?: () => number;
}

function inProgress(sn: string, started: string): ApiError {
  return new ApiError(
    409,
    'INSTALL_IN_PROGRESS',
    `An installation is already running on ${sn} (started ${started}). Wait for it to finish or cancel it.`,
  );
}

function validationMessage(fieldErrors: Record<string, string[]>): string {
  const fields = Object.keys(fieldErrors);
  const first = fields[0];
  const firstMessage = first === undefined ? '' : ` ${first}: ${fieldErrors[first]?.[0] ?? ''}`;
  return `The install form has ${fields.length === 1 ? 'a problem' : `problems in ${fields.length} fields`}; nothing was sent to OVH.${firstMessage}`;
}

function parseForm(req: Request, route: InstallRoute) {
  return parseJsonRequest(req, byoiFormSchemaFor(route), 'install form', validationMessage);
}

/** The builder re-validates; should it still refuse, that is the operator's form, not a crash. */
function buildPayload(route: InstallRoute, form: ByoiForm) {
  try {
    return buildInstallPayload(route, form);
  } catch (error) {
    if (error instanceof PayloadError) {
      throw new ApiError(400, 'VALIDATION_FAILED', validationMessage(error.fieldErrors), {
        fieldErrors: error.fieldErrors,
      });
    }
    throw error;
  }
}

export function installRouter({
  ovh,
  tracker,
  known,
  records,
  locks,
  installRoute,
  outcomes,
  logger,
  now = Date.now,
}: InstallDeps): Router {
  const router = Router();
  const watch = { ovh, tracker, known, records, outcomes };

  router.post('/:sn/install', async (req, res) => {
    const sn = req.params.sn;
    // A form filled from the image library gets the version's stored headers (its origin only).
    const form = await withLibraryImage(req, parseForm(req, installRoute));
    const lock = await locks.acquire(sn);
    if (!lock) throw inProgress(sn, 'a moment ago from this console');
    try {
      await requireServer(ovh, sn);
      const payload = buildPayload(installRoute, form);
      const [status, task] = await Promise.all([
        ovh.getInstallStatus(sn),
        latestInstallTask(ovh, sn),
      ]);
      // The status outlives an install (its steps stay done or failed), so "running" is judged
      // from the steps and the task together, exactly as the progress screen shows it.
      const current = buildProgress(sn, status, task);
      await outcomes.observe(current);
      if (current.state === 'running') {
        tracker.markRunning(sn);
        const started =
          task?.startDate ?? new Date(now() - current.elapsedSeconds * 1000).toISOString();
        throw inProgress(sn, started);
      }
      const started = await ovh.startInstall(installRoute, sn, payload.body);
      tracker.markRunning(sn);
      const user = sessionUser(req);
      const id = auditEntryId(req) ?? randomUUID();
      try {
        await records.recordSubmitted({
          id,
          server: sn,
          taskId: started.taskId,
          user: user?.username ?? null,
          role: user?.role ?? null,
          route: installRoute,
          submittedAt: new Date(now()),
          facts: installFacts(installRoute, form, started),
          libraryImage: libraryImageOf(form),
        });
      } catch (error) {
        // OVH accepted: the install runs whatever the store says, and the answer must say so.
        logger.error(
          {
            server: sn,
            taskId: started.taskId,
            err: error instanceof Error ? { name: error.name, message: error.message } : {},
          },
          'install started but its record could not be written: no history entry, no watch',
        );
      }
      const body: InstallResponse = { route: installRoute, task: toTaskDto(started) };
      res.status(202).json(body);
    } finally {
      // A release that fails leaves a row that expires with its lease.
      await locks.release(lock).catch(() => undefined);
    }
  });

  router.get('/:sn/install', async (req, res) => {
    const sn = req.params.sn;
    await requireServer(ovh, sn);
    const body: InstallProgressDto = await followInstall(watch, sn);
    res.json(body);
  });

  router.post('/:sn/install/cancel', async (req, res) => {
    const sn = req.params.sn;
    await requireServer(ovh, sn);
    const task = await latestInstallTask(ovh, sn);
    if (task === null) {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `No installation has been started on ${sn}, so there is nothing to cancel.`,
      );
    }
    if (!isTaskActive(task)) {
      throw new ApiError(
        409,
        'INSTALL_NOT_RUNNING',
        `No installation is running on ${sn}: the last one (task ${task.taskId}) is already ${task.status}. There is nothing to cancel.`,
      );
    }
    await ovh.cancelTask(sn, task.taskId);
    const [status, after] = await Promise.all([
      ovh.getInstallStatus(sn),
      latestInstallTask(ovh, sn),
    ]);
    const progress = buildProgress(sn, status, after);
    tracker.observe(sn, progress.state);
    await outcomes.observe(progress);
    res.json(progress);
  });

  return router;
}
