/**
 * What OVH's own download of an image meets where the console's fetch ended: the installer
 * model's `DownloadFailure`, from which both the preflight and Verify predict OVH's message.
 */
import { downloadStep, hostAndPort, type DownloadFailure, type StepFailure } from '@byoi/shared';
import type { FetchError, GuardError } from './errors.ts';

export function downloadFailureOf(error: FetchError): DownloadFailure {
  return error.failure ?? { kind: 'protocol', detail: error.message };
}

/**
 * A host the guard refused. OVH downloads from the internet, where a private or loopback address
 * does not lead to this host: its download fails to connect.
 */
export function refusedHostFailure(imageURL: string, error: GuardError): DownloadFailure {
  try {
    return { kind: 'unreachable', ...hostAndPort(new URL(error.url ?? imageURL)) };
  } catch {
    return { kind: 'unreachable', host: error.host, port: 443 };
  }
}

/** The download step's failure for a download that failed. */
export function downloadFailed(failure: DownloadFailure): StepFailure {
  const outcome = downloadStep({ failure });
  if (outcome.status !== 'fail') throw new Error('a download failure must fail the download step');
  return outcome;
}
