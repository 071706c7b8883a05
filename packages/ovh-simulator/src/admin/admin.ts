import type { AccessRule, CredentialStore, CredentialStatus } from '../auth/credentials.ts';
import { parseAccessRules } from '../auth/credentials.ts';
import type { Clock } from '../clock.ts';
import type { ServerState } from '../fixtures.ts';
import type {
  DownloadRecord,
  InstallRequestRecord,
  SimulatorState,
  WrittenImage,
} from '../state.ts';
import { NotFoundError } from '../errors.ts';
import type { Fault, FaultSpec, FaultStore } from './faults.ts';
import { parseFault } from './faults.ts';

const SERVER_STATES: readonly ServerState[] = ['ok', 'error', 'hacked', 'hackedBlocked'];

/** Admin bodies come from JSON: a flag must really be a boolean, not a truthy string. */
function flag(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    throw new TypeError(`${name} must be true or false (got ${got}).`);
  }
  return value;
}

/** Test and demo controls; also served over HTTP under `/_sim`. */
export interface SimulatorAdmin {
  /** Back to the fixtures: no installs, tasks, recorded requests, calls or faults; clock speed as started. */
  reset(): void;
  /** Install requests received (`install/start` and `reinstall`), oldest first, bodies as sent. */
  requests(): InstallRequestRecord[];
  /** Every OVH API call received since the last reset, by `METHOD /path` (relative to `/1.0`). */
  calls(): Record<string, number>;
  /** The most installs that ran at the same time since the last reset. */
  peakRunningInstalls(): number;
  injectFault(spec: FaultSpec): Fault;
  faults(): Fault[];
  clearFaults(): void;
  /** A server as the simulator holds it, with what the last BYOI install wrote to its disk. */
  server(serviceName: string): ServerSnapshot;
  setServerState(serviceName: string, state: ServerState): void;
  /**
   * A new server, as if just delivered: a copy of `like` (a server's name; the first fixture by
   * default) under `name`, until the next reset.
   */
  addServer(spec: { name: string; displayName?: string; like?: string }): ServerSnapshot;
  /** While locked, installs on the server are refused with OVH's 409 `DisturbAlreadyExists`. */
  setServerLocked(serviceName: string, locked: boolean): void;
  /** While expired, every OVH API call about the server answers HTTP 460. */
  setServiceExpired(serviceName: string, expired: boolean): void;
  setClockSpeed(speed: number): void;
  /** A new consumer key for the simulator's application, pending validation unless said otherwise. */
  createCredential(
    rules: AccessRule[],
    options?: { validated?: boolean },
  ): { consumerKey: string; state: CredentialStatus };
  validateCredential(consumerKey: string): void;
  revokeCredential(consumerKey: string): void;
}

export interface ServerSnapshot {
  serviceName: string;
  state: ServerState;
  os: string;
  efiBootloaderPath: string | null;
  locked: boolean;
  expired: boolean;
  /** What the last successful BYOI install wrote, config drive included. */
  disk: WrittenImage | null;
  /** The last image download of an install, with the most image bytes it held at once. */
  lastDownload: DownloadRecord | null;
}

export interface AdminDeps {
  state: SimulatorState;
  faults: FaultStore;
  clock: Clock;
  credentials: CredentialStore;
  applicationKey: string;
  defaultConsumerKey: string;
  initialClockSpeed: number;
}

export function createAdmin(deps: AdminDeps): SimulatorAdmin {
  const { state, faults, clock, credentials } = deps;
  const find = (serviceName: string) => {
    const server = state.servers.get(serviceName);
    if (!server)
      throw new NotFoundError(
        `No server named ${serviceName} in this simulator; GET /1.0/dedicated/server lists them.`,
      );
    return server;
  };
  return {
    reset() {
      state.reset();
      faults.clear();
      clock.speed = deps.initialClockSpeed;
      credentials.validate(deps.defaultConsumerKey);
    },
    requests: () => structuredClone(state.installRequests),
    calls: () => Object.fromEntries(state.calls),
    peakRunningInstalls: () => state.peakRunningInstalls,
    injectFault: (spec) => faults.add(parseFault(spec)),
    faults: () => faults.list(),
    clearFaults: () => faults.clear(),
    server(serviceName) {
      const server = find(serviceName);
      return {
        serviceName,
        state: server.state,
        os: server.os,
        efiBootloaderPath: server.efiBootloaderPath,
        locked: server.locked,
        expired: server.expired,
        disk: structuredClone(server.disk),
        lastDownload: server.lastDownload ? { ...server.lastDownload } : null,
      };
    },
    setServerState(serviceName, value) {
      const server = find(serviceName);
      if (!SERVER_STATES.includes(value)) {
        throw new TypeError(
          `state must be one of ${SERVER_STATES.join(', ')} (got ${String(value)}).`,
        );
      }
      server.state = value;
    },
    addServer({ name, displayName, like }) {
      if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9.-]{0,252}$/.test(name)) {
        throw new TypeError(
          'name must be a service name (lower-case letters, digits, dots, hyphens).',
        );
      }
      const model = like === undefined ? [...state.servers.values()][0] : find(like);
      if (!model) throw new NotFoundError('There is no server to copy the new one from.');
      if (state.servers.has(name)) throw new TypeError(`A server named ${name} already exists.`);
      state.addServer({
        ...structuredClone(model.fixture),
        name,
        displayName: typeof displayName === 'string' ? displayName : name,
        reverse: name,
        serverId: 9_500_000 + state.servers.size,
      });
      return this.server(name);
    },
    setServerLocked(serviceName, locked) {
      const server = find(serviceName);
      server.locked = flag('locked', locked);
    },
    setServiceExpired(serviceName, expired) {
      const server = find(serviceName);
      server.expired = flag('expired', expired);
    },
    setClockSpeed(speed) {
      clock.speed = speed;
    },
    createCredential(rules, options = {}) {
      const credential = credentials.create(deps.applicationKey, parseAccessRules(rules));
      if (options.validated) credentials.validate(credential.consumerKey);
      return { consumerKey: credential.consumerKey, state: credential.status };
    },
    validateCredential(consumerKey) {
      credentials.validate(consumerKey);
    },
    revokeCredential(consumerKey) {
      credentials.revoke(consumerKey);
    },
  };
}
