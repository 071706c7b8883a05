/**
 * The rollout scheduler: one pure step from a snapshot and an event to the next snapshot and the
 * actions the driver must carry out. No I/O and no clock: time arrives in the events, so the same
 * history always gives the same decisions, and the store can replay it.
 *
 * Waves: after the preflight, the first `plan.canary` servers that can take the image (in the
 * order given) form wave 0, the rest waves 1, 2, … of `plan.batchSize`. Only the lowest wave that
 * still has work may run, which is how a batch waits for the previous one to end.
 */
import {
  TERMINAL_ROLLOUT_STATES,
  type RolloutNotification,
  type RolloutPlan,
  type RolloutServerState,
  type RolloutState,
} from '@byoi/shared';

export interface RolloutServer {
  name: string;
  state: RolloutServerState;
  /** 0 for the canaries, 1, 2, … for the batches; null before the preflight and when blocked. */
  wave: number | null;
  /** Why the server is blocked, failed, skipped or cancelled, as a sentence for the operator. */
  message?: string;
  /** When OVH accepted the install; absent while the request may not have reached OVH yet. */
  startedAt?: number;
  endedAt?: number;
  /** An abort asked OVH to cancel this install; the outcome arrives with `installEnded`. */
  cancelRequested?: boolean;
}

export interface RolloutSnapshot {
  state: RolloutState;
  plan: RolloutPlan;
  servers: readonly RolloutServer[];
}

export type PreflightVerdict =
  { server: string; verdict: 'ok' } | { server: string; verdict: 'blocked'; reason: string };

export type InstallOutcome = 'done' | 'failed' | 'cancelled';

/** `at` is the time of the event in milliseconds since the epoch, read by whoever reports it. */
export type RolloutEvent =
  | { kind: 'check'; at: number }
  | { kind: 'preflightDone'; at: number; verdicts: readonly PreflightVerdict[] }
  | { kind: 'start'; at: number }
  | { kind: 'installStarted'; at: number; server: string }
  | { kind: 'installEnded'; at: number; server: string; outcome: InstallOutcome; message?: string }
  | { kind: 'installRefused'; at: number; server: string; message: string }
  | { kind: 'pause'; at: number }
  | { kind: 'resume'; at: number }
  | { kind: 'abort'; at: number; cancelRunning: boolean }
  | { kind: 'tick'; at: number };

export type RolloutAction =
  | { kind: 'runPreflight'; servers: string[] }
  | { kind: 'startInstall'; server: string }
  | { kind: 'cancelInstall'; server: string }
  | { kind: 'notify'; event: RolloutNotification };

export type RolloutRefusalCode =
  | 'invalidTransition'
  | 'blockedServers'
  | 'unknownServer'
  | 'incompletePreflight'
  | 'conflictingOutcome';

/** Why an event was not applied: the API answers it as a 409 with `message`. */
export interface RolloutRefusal {
  code: RolloutRefusalCode;
  message: string;
}

export interface RolloutDecision {
  rollout: RolloutSnapshot;
  actions: RolloutAction[];
  error?: RolloutRefusal;
}

/** A new rollout: every server pending, nothing checked yet. */
export function plannedRollout(plan: RolloutPlan, servers: readonly string[]): RolloutSnapshot {
  return {
    state: 'planned',
    plan,
    servers: servers.map((name) => ({ name, state: 'pending', wave: null })),
  };
}

export function isTerminal(state: RolloutState): boolean {
  return (TERMINAL_ROLLOUT_STATES as readonly RolloutState[]).includes(state);
}

const ENDED: readonly RolloutServerState[] = ['done', 'failed', 'cancelled'];

export function decide(rollout: RolloutSnapshot, event: RolloutEvent): RolloutDecision {
  const draft: Draft = {
    state: rollout.state,
    plan: rollout.plan,
    servers: rollout.servers.map((server) => ({ ...server })),
  };
  const actions: RolloutAction[] = [];
  const refusal = apply(draft, event, actions);
  if (refusal) return { rollout, actions: [], error: refusal };
  advance(rollout, draft, actions);
  return { rollout: draft, actions };
}

interface Draft {
  state: RolloutState;
  plan: RolloutPlan;
  servers: RolloutServer[];
}

/** Applies the event itself to the draft; returns a refusal and leaves the draft unused if any. */
function apply(
  draft: Draft,
  event: RolloutEvent,
  actions: RolloutAction[],
): RolloutRefusal | undefined {
  switch (event.kind) {
    case 'check':
      if (draft.state !== 'planned') return wrongState(draft.state, 'checked', ['planned']);
      draft.state = 'checking';
      actions.push({ kind: 'runPreflight', servers: draft.servers.map((s) => s.name) });
      return undefined;

    case 'preflightDone':
      if (draft.state !== 'checking') {
        return wrongState(draft.state, 'given preflight verdicts', ['checking']);
      }
      return applyVerdicts(draft, event.verdicts);

    case 'start': {
      if (draft.state !== 'ready') return wrongState(draft.state, 'started', ['ready']);
      const blocked = draft.servers.filter((s) => s.state === 'blocked');
      if (blocked.length > 0 && draft.plan.onBlocked === 'refuse') {
        const list = blocked.map((s) => `${s.name} (${s.message ?? 'blocked'})`).join(', ');
        return {
          code: 'blockedServers',
          message: `The rollout refuses to start: the image cannot fit ${blocked.length === 1 ? 'this server' : `these ${blocked.length} servers`}: ${list}. Abort it and plan a new rollout without ${blocked.length === 1 ? 'it' : 'them'}, or with onBlocked 'skip' to leave blocked servers out.`,
        };
      }
      draft.state = 'running';
      actions.push(notify('rollout.started'));
      return undefined;
    }

    case 'installStarted': {
      const server = findServer(draft, event.server);
      if (!server) return unknownServer(event.server);
      if (ENDED.includes(server.state)) return undefined; // a late repeat: the install has ended
      if (server.state !== 'installing') return notStarted(server);
      server.startedAt ??= event.at;
      return undefined;
    }

    case 'installEnded': {
      const server = findServer(draft, event.server);
      if (!server) return unknownServer(event.server);
      const state = endState(server, event.outcome);
      if (ENDED.includes(server.state)) return sameEnd(server, state);
      if (server.state !== 'installing') return notStarted(server);
      server.state = state;
      server.endedAt = event.at;
      if (event.message !== undefined) server.message = event.message;
      if (event.outcome === 'cancelled' && state === 'failed') {
        server.message ??= 'The install was cancelled at OVH, but not by this rollout.';
      }
      return undefined;
    }

    case 'installRefused': {
      // Counted as a failure, never retried: the rollout installs each server at most once, and
      // a server OVH refuses (409: another task is running on it) needs a look from the operator.
      const server = findServer(draft, event.server);
      if (!server) return unknownServer(event.server);
      if (ENDED.includes(server.state)) return sameEnd(server, 'failed');
      if (server.state !== 'installing') return notStarted(server);
      if (server.startedAt !== undefined) {
        return {
          code: 'conflictingOutcome',
          message: `OVH already accepted the install of ${server.name}; it cannot be refused now. Report how the install ended instead.`,
        };
      }
      server.state = 'failed';
      server.endedAt = event.at;
      server.message = event.message;
      return undefined;
    }

    case 'pause':
      if (draft.state !== 'running') return wrongState(draft.state, 'paused', ['running']);
      draft.state = 'paused';
      actions.push(notify('rollout.paused'));
      return undefined;

    case 'resume':
      if (draft.state !== 'paused') return wrongState(draft.state, 'resumed', ['paused']);
      draft.state = 'running';
      return undefined;

    case 'abort':
      if (isTerminal(draft.state)) {
        return {
          code: 'invalidTransition',
          message: `The rollout is already ${draft.state} and cannot be aborted: it starts no more installs.`,
        };
      }
      draft.state = 'aborted';
      for (const server of draft.servers) {
        if (server.state === 'pending') {
          server.state = 'skipped';
          server.message = 'Not installed: the rollout was aborted.';
        } else if (server.state === 'installing' && event.cancelRunning) {
          server.cancelRequested = true;
          actions.push({ kind: 'cancelInstall', server: server.name });
        }
      }
      actions.push(notify('rollout.aborted'));
      return undefined;

    case 'tick':
      return undefined;
  }
}

function applyVerdicts(
  draft: Draft,
  verdicts: readonly PreflightVerdict[],
): RolloutRefusal | undefined {
  const byServer = new Map<string, PreflightVerdict>();
  for (const verdict of verdicts) {
    if (!findServer(draft, verdict.server) || byServer.has(verdict.server)) {
      return {
        code: 'incompletePreflight',
        message: `The preflight gave a verdict for ${verdict.server}, which is not in the rollout or was already judged. Run the preflight again for the rollout's servers.`,
      };
    }
    byServer.set(verdict.server, verdict);
  }
  const missing = draft.servers.filter((s) => !byServer.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    return {
      code: 'incompletePreflight',
      message: `The preflight gave no verdict for ${missing.join(', ')}. Run the preflight again: every server needs one.`,
    };
  }
  let eligible = 0;
  for (const server of draft.servers) {
    const verdict = byServer.get(server.name);
    if (verdict?.verdict === 'blocked') {
      server.state = 'blocked';
      server.wave = null;
      server.message = verdict.reason;
      continue;
    }
    const { canary, batchSize } = draft.plan;
    server.wave = eligible < canary ? 0 : 1 + Math.floor((eligible - canary) / batchSize);
    eligible += 1;
  }
  draft.state = 'ready';
  return undefined;
}

/**
 * What follows from the applied event in a running or paused rollout: a stop on a failed canary
 * or too many failures, the canary verdict, the end, and the installs that may start now.
 * Installs already running when the rollout fails are left to finish: cutting an install short
 * at OVH leaves the server unbootable, so only an abort with `cancelRunning` does that.
 */
function advance(before: RolloutSnapshot, draft: Draft, actions: RolloutAction[]): void {
  if (draft.state !== 'running' && draft.state !== 'paused') return;
  const { plan } = draft;
  const canaries = draft.servers.filter((s) => s.wave === 0);

  if (canaries.some((s) => s.state === 'failed')) {
    actions.push(notify('rollout.canary_failed'));
    fail(draft, actions, 'Not installed: a canary failed.');
    return;
  }
  const failures = draft.servers.filter((s) => s.state === 'failed').length;
  if (failures > plan.maxFailures) {
    fail(
      draft,
      actions,
      `Not installed: ${failures} servers failed, more than maxFailures (${plan.maxFailures}).`,
    );
    return;
  }

  const hasPending = draft.servers.some((s) => s.state === 'pending');
  const canaryWasOpen = before.servers.some((s) => s.wave === 0 && s.state !== 'done');
  if (canaries.length > 0 && canaryWasOpen && canaries.every((s) => s.state === 'done')) {
    actions.push(notify('rollout.canary_passed'));
    if (plan.pauseAfterCanary && hasPending && draft.state === 'running') {
      draft.state = 'paused';
      actions.push(notify('rollout.paused'));
    }
  }

  const installing = draft.servers.filter((s) => s.state === 'installing').length;
  if (!hasPending && installing === 0) {
    draft.state = 'done';
    actions.push(notify('rollout.done'));
    return;
  }
  if (draft.state === 'running') startWhatMay(draft, installing, actions);
}

/** Starts pending servers of the lowest unfinished wave, up to `maxInFlight` installs at once. */
function startWhatMay(draft: Draft, installing: number, actions: RolloutAction[]): void {
  const open = draft.servers.filter((s) => s.state === 'pending' || s.state === 'installing');
  const wave = Math.min(...open.map((s) => s.wave ?? Infinity));
  let running = installing;
  for (const server of draft.servers) {
    if (running >= draft.plan.maxInFlight) return;
    if (server.state !== 'pending' || server.wave !== wave) continue;
    server.state = 'installing';
    actions.push({ kind: 'startInstall', server: server.name });
    running += 1;
  }
}

function fail(draft: Draft, actions: RolloutAction[], skippedMessage: string): void {
  draft.state = 'failed';
  for (const server of draft.servers) {
    if (server.state === 'pending') {
      server.state = 'skipped';
      server.message = skippedMessage;
    }
  }
  actions.push(notify('rollout.failed'));
}

/** A cancellation the rollout did not ask for leaves the server uninstalled: a failure. */
function endState(server: RolloutServer, outcome: InstallOutcome): RolloutServerState {
  if (outcome === 'cancelled' && !server.cancelRequested) return 'failed';
  return outcome;
}

function sameEnd(server: RolloutServer, state: RolloutServerState): RolloutRefusal | undefined {
  if (server.state === state) return undefined; // a repeat of the same news changes nothing
  return {
    code: 'conflictingOutcome',
    message: `The install of ${server.name} already ended as ${server.state}; a second, different outcome (${state}) is ignored. Check the server at OVH.`,
  };
}

function findServer(draft: Draft, name: string): RolloutServer | undefined {
  return draft.servers.find((s) => s.name === name);
}

function notify(event: RolloutNotification): RolloutAction {
  return { kind: 'notify', event };
}

function wrongState(
  state: RolloutState,
  verb: string,
  allowed: readonly RolloutState[],
): RolloutRefusal {
  return {
    code: 'invalidTransition',
    message: `The rollout is ${state}, so it cannot be ${verb}: only a ${allowed.join(' or ')} rollout can.`,
  };
}

function unknownServer(name: string): RolloutRefusal {
  return {
    code: 'unknownServer',
    message: `${name} is not one of this rollout's servers.`,
  };
}

function notStarted(server: RolloutServer): RolloutRefusal {
  return {
    code: 'invalidTransition',
    message: `${server.name} is ${server.state}: this rollout never started installing it.`,
  };
}
