import {
  checksumStep,
  configDriveStep,
  diskSizeStep,
  downloadSizeStep,
  downloadStep,
  formatStep,
  sniffImage,
  writeStep,
} from '@byoi/shared';
import type { ImageSniff, StepOutcome } from '@byoi/shared';
import type { Clock } from '../clock.ts';
import type {
  InstallRun,
  ServerRecord,
  SimulatorState,
  StepRecord,
  TaskRecord,
  WrittenImage,
} from '../state.ts';
import { isFinished } from '../state.ts';
import { buildConfigDrive, needsConfigDrive } from './configDrive.ts';
import { downloadImage } from './download.ts';
import { imageLimitBytes, targetDisk } from './hardware.ts';
import type { ByoiSpec, InstallSpec } from './spec.ts';
import { BYOI_STEPS, TEMPLATE_STEPS } from './steps.ts';
import type { StepDefinition, StepId } from './steps.ts';

/** The comment of a task OVH has just accepted (from OVH's own example response). */
export const TASK_START_COMMENT = 'Start bare metal OS installation';

export interface EngineOptions {
  state: SimulatorState;
  clock: Clock;
  downloadTimeoutMs: number;
}

/** What earlier steps learnt and later steps need. */
interface ByoiContext {
  spec: ByoiSpec;
  server: ServerRecord;
  taskId: number;
  size: number;
  head: Uint8Array;
  digest: string | null;
  sha256: string;
  sniff: ImageSniff | null;
}

/** Runs installs for real, step by step on the simulator's clock. */
export class InstallEngine {
  readonly #options: EngineOptions;

  constructor(options: EngineOptions) {
    this.#options = options;
  }

  /** The running install's task, if any. */
  runningTask(server: ServerRecord): TaskRecord | undefined {
    return server.tasks.find((task) => task.function === 'reinstallServer' && !isFinished(task));
  }

  start(server: ServerRecord, spec: InstallSpec): TaskRecord {
    const now = new Date().toISOString();
    const task: TaskRecord = {
      taskId: this.#options.state.nextTaskId(),
      function: 'reinstallServer',
      status: 'init',
      comment: TASK_START_COMMENT,
      startDate: now,
      doneDate: null,
      lastUpdate: now,
    };
    const definitions = spec.byoi ? byoiSteps(spec.byoi) : TEMPLATE_STEPS;
    const run: InstallRun = {
      taskId: task.taskId,
      startedAt: Date.now(),
      endedAt: null,
      steps: definitions.map((step) => ({ comment: step.comment, status: 'todo', error: null })),
      abort: new AbortController(),
    };
    server.tasks.push(task);
    server.install = run;
    void this.#run(server, spec, task, run, definitions);
    return task;
  }

  /** Stops a running install; false when the task has already ended. */
  cancel(server: ServerRecord, task: TaskRecord): boolean {
    if (isFinished(task)) return false;
    if (server.install?.taskId === task.taskId) server.install.abort.abort();
    else finish(task, 'cancelled', task.comment);
    return true;
  }

  async #run(
    server: ServerRecord,
    spec: InstallSpec,
    task: TaskRecord,
    run: InstallRun,
    definitions: readonly StepDefinition[],
  ): Promise<void> {
    const signal = run.abort.signal;
    const context: ByoiContext | null = spec.byoi
      ? {
          spec: spec.byoi,
          server,
          taskId: task.taskId,
          size: 0,
          head: new Uint8Array(),
          digest: null,
          sha256: '',
          sniff: null,
        }
      : null;
    let current: StepRecord | undefined;
    try {
      await this.#options.clock.sleep(0, signal);
      update(task, 'doing');
      for (const [index, definition] of definitions.entries()) {
        const step = run.steps[index];
        if (!step) throw new Error(`install run has no record for step ${definition.id}`);
        current = step;
        step.status = 'doing';
        task.lastUpdate = new Date().toISOString();
        const [problem] = await Promise.all([
          context ? this.#byoiStep(definition.id, context, signal) : Promise.resolve(null),
          this.#options.clock.sleep(definition.durationMs, signal),
        ]);
        if (problem) {
          step.status = 'error';
          step.error = problem;
          finish(task, 'customerError', problem);
          return;
        }
        step.status = 'done';
      }
      server.os = spec.templateName;
      server.disk = context ? written(context, task.taskId) : null;
      // OVH keeps the path it booted the new system with on the server object.
      if (spec.byoi?.efiBootloaderPath) server.efiBootloaderPath = spec.byoi.efiBootloaderPath;
      finish(task, 'done', task.comment);
    } catch (error) {
      if (signal.aborted) {
        // A cancelled step is left idle: it neither finished nor failed.
        if (current?.status === 'doing') current.status = 'idle';
        finish(task, 'cancelled', task.comment);
        return;
      }
      // A simulator bug, not the operator's: OVH reports its own failures as ovhError.
      console.error(`[ovh-simulator] install task ${task.taskId} crashed: ${String(error)}`);
      if (current) {
        current.status = 'error';
        current.error = 'Internal error';
      }
      finish(task, 'ovhError', 'Internal error');
    } finally {
      run.endedAt = Date.now();
    }
  }

  async #byoiStep(id: StepId, context: ByoiContext, signal: AbortSignal): Promise<string | null> {
    const { spec, server } = context;
    switch (id) {
      case 'download': {
        const limitBytes = imageLimitBytes(server.fixture);
        const result = await downloadImage({
          url: spec.imageURL,
          headers: spec.httpHeaders,
          limitBytes,
          ...(spec.imageCheckSumType ? { hash: spec.imageCheckSumType } : {}),
          timeoutMs: this.#options.downloadTimeoutMs,
          signal,
        });
        server.lastDownload = {
          taskId: context.taskId,
          outcome: result.outcome,
          bytes:
            result.outcome === 'unreachable'
              ? 0
              : result.outcome === 'ok'
                ? result.size
                : result.bytes,
          peakHeldBytes: result.peakHeldBytes,
        };
        if (result.outcome === 'unreachable') {
          return problem(downloadStep({ failure: result.failure }));
        }
        if (result.outcome === 'tooBig') {
          return problem(
            downloadSizeStep({ bytes: result.bytes, limitBytes, imageType: spec.imageType }),
          );
        }
        context.size = result.size;
        context.head = result.head;
        context.digest = result.digest;
        context.sha256 = result.sha256;
        return null;
      }
      case 'checksum':
        return problem(
          checksumStep({
            ...(spec.imageCheckSum === undefined ? {} : { checksum: spec.imageCheckSum }),
            ...(spec.imageCheckSumType === undefined
              ? {}
              : { checksumType: spec.imageCheckSumType }),
            actual: context.digest,
          }),
        );
      case 'format':
        context.sniff = sniffImage(context.head, { totalSize: context.size });
        return problem(formatStep({ sniff: context.sniff, imageType: spec.imageType }));
      case 'write': {
        const sniff = context.sniff ?? sniffImage(context.head, { totalSize: context.size });
        const disk = targetDisk(server.fixture);
        return (
          problem(diskSizeStep({ sniff, imageBytes: context.size, disk })) ??
          problem(writeStep({ sniff }))
        );
      }
      case 'configDrive':
        return problem(
          configDriveStep(
            spec.configDriveUserData === undefined ? {} : { userData: spec.configDriveUserData },
          ),
        );
      default:
        return null;
    }
  }
}

/** OVH's message when the installer model says the step fails; null when it passes. */
function problem(outcome: StepOutcome): string | null {
  return outcome.status === 'fail' ? outcome.message : null;
}

/** OVH adds the config drive step only when there is a config drive to create. */
function byoiSteps(spec: ByoiSpec): readonly StepDefinition[] {
  return needsConfigDrive(spec) ? BYOI_STEPS : BYOI_STEPS.filter((s) => s.id !== 'configDrive');
}

function written(context: ByoiContext, taskId: number): WrittenImage {
  return {
    imageURL: context.spec.imageURL,
    imageType: context.spec.imageType,
    format: context.sniff?.description ?? 'data',
    bytes: context.size,
    sha256: context.sha256,
    device: targetDisk(context.server.fixture).device,
    configDrive: buildConfigDrive(context.spec, context.server.fixture, taskId),
    taskId,
  };
}

function update(task: TaskRecord, status: TaskRecord['status']): void {
  task.status = status;
  task.lastUpdate = new Date().toISOString();
}

function finish(task: TaskRecord, status: TaskRecord['status'], comment: string): void {
  update(task, status);
  task.comment = comment;
  task.doneDate = task.lastUpdate;
}
