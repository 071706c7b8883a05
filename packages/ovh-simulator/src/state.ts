import type { ServerFixture, ServerState } from './fixtures.ts';
import type { ConfigDrive } from './install/configDrive.ts';

/** `dedicated.TaskStatusEnum`. */
export type TaskStatus =
  'init' | 'todo' | 'doing' | 'done' | 'customerError' | 'ovhError' | 'cancelled';
/** `dedicated.server.InstallationProgressStatusEnum`. */
export type StepStatus =
  'doing' | 'done' | 'error' | 'expired' | 'idle' | 'pending' | 'stopping' | 'todo';

export interface TaskRecord {
  taskId: number;
  function: 'reinstallServer';
  status: TaskStatus;
  comment: string;
  startDate: string;
  doneDate: string | null;
  lastUpdate: string;
}

export interface StepRecord {
  comment: string;
  status: StepStatus;
  error: string | null;
}

export interface InstallRun {
  taskId: number;
  startedAt: number;
  endedAt: number | null;
  steps: StepRecord[];
  abort: AbortController;
}

/** What the last successful BYOI install "wrote" to the server's disk: enough for a test to check it. */
export interface WrittenImage {
  imageURL: string;
  imageType: 'qcow2' | 'raw';
  /** A `file(1)`-style description of the bytes, e.g. `QEMU QCOW2 Image (v3)`. */
  format: string;
  /** Bytes downloaded. */
  bytes: number;
  sha256: string;
  device: string;
  /** What was written to the config drive; null when no config-drive customization was set. */
  configDrive: ConfigDrive | null;
  taskId: number;
}

/**
 * The last image download an install made on the server, for tests that check memory stays flat
 * by construction rather than by sampling the process's RSS.
 */
export interface DownloadRecord {
  taskId: number;
  outcome: 'ok' | 'tooBig' | 'unreachable';
  /** Bytes received (or announced, when refused by Content-Length); 0 when unreachable. */
  bytes: number;
  /**
   * The most image bytes held in memory at once: the kept head, the chunk being hashed and what
   * the socket had buffered behind it.
   */
  peakHeldBytes: number;
}

export interface ServerRecord {
  readonly fixture: ServerFixture;
  state: ServerState;
  os: string;
  /** `efiBootloaderPath` of the server object: the fixture's, then the last BYOI install's. */
  efiBootloaderPath: string | null;
  /** Set by a successful BYOI install; null after an ordinary template or a reset. */
  disk: WrittenImage | null;
  /** The last image download of an install, whatever its outcome; null before any. */
  lastDownload: DownloadRecord | null;
  /** Another operation holds the server: reinstalls are refused with 409 (admin API). */
  locked: boolean;
  /** The service has expired: every call about the server answers 460 (admin API). */
  expired: boolean;
  /** The latest install; kept after it ends (until the next one) so its final status stays readable. */
  install: InstallRun | null;
  tasks: TaskRecord[];
}

export type InstallRoute = 'install-start' | 'reinstall';

export interface InstallRequestRecord {
  route: InstallRoute;
  serviceName: string;
  body: unknown;
  receivedAt: string;
}

const FINISHED: ReadonlySet<TaskStatus> = new Set([
  'done',
  'customerError',
  'ovhError',
  'cancelled',
]);

export function isFinished(task: TaskRecord): boolean {
  return FINISHED.has(task.status);
}

/** Everything the simulator remembers; `reset()` returns it to the fixtures. */
export class SimulatorState {
  readonly servers = new Map<string, ServerRecord>();
  readonly installRequests: InstallRequestRecord[] = [];
  /** OVH API calls received, by `METHOD /path` (path relative to `/1.0`, no query). */
  readonly calls = new Map<string, number>();
  /** The most installs that ran at the same time since the last reset (fleet tests count it). */
  peakRunningInstalls = 0;
  #nextTaskId = 0;
  readonly #fixtures: readonly ServerFixture[];

  constructor(fixtures: readonly ServerFixture[]) {
    const names = new Set<string>();
    for (const fixture of fixtures) {
      if (names.has(fixture.name)) {
        throw new Error(`Two fixtures are named ${fixture.name}; server names must be unique.`);
      }
      names.add(fixture.name);
    }
    this.#fixtures = fixtures;
    this.reset();
  }

  reset(): void {
    for (const server of this.servers.values()) server.install?.abort.abort();
    this.servers.clear();
    for (const fixture of this.#fixtures) this.#add(fixture);
    this.installRequests.length = 0;
    this.calls.clear();
    this.peakRunningInstalls = 0;
    this.#nextTaskId = 5_200_000;
  }

  /** A server bought since the start (until the next reset): it shows up in lists at once. */
  addServer(fixture: ServerFixture): ServerRecord {
    if (this.servers.has(fixture.name)) {
      throw new Error(`A server named ${fixture.name} already exists.`);
    }
    return this.#add(fixture);
  }

  #add(fixture: ServerFixture): ServerRecord {
    const record: ServerRecord = {
      fixture,
      state: fixture.state,
      os: fixture.os,
      efiBootloaderPath: fixture.efiBootloaderPath ?? null,
      disk: null,
      lastDownload: null,
      locked: false,
      expired: false,
      install: null,
      tasks: [],
    };
    this.servers.set(fixture.name, record);
    return record;
  }

  nextTaskId(): number {
    this.#nextTaskId += 1;
    return this.#nextTaskId;
  }

  countCall(method: string, path: string): void {
    const key = `${method} ${path}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }
}
