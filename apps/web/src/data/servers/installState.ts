import type { InstallProgressDto } from '@byoi/shared';

/**
 * "An install runs" as every screen says it: the BFF's one judgement (its progress state), which
 * the progress page, the server page and the list all read. No screen decides it on its own.
 */
export function isInstallRunning(progress: InstallProgressDto | undefined): boolean {
  return progress?.state === 'running';
}

/** The install has ended (or never ran): known, and not running. */
export function isInstallOver(progress: InstallProgressDto | undefined): boolean {
  return progress !== undefined && progress.state !== 'running';
}
