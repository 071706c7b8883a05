/**
 * The two ways a fetch made on an operator's behalf can end early. `GuardError` means the console
 * refused to go there (a policy decision: the check fails with the guard's sentence, and OVH, which
 * downloads from the internet, is predicted to fail the download); `FetchError` means it tried and
 * the network said no (which is what OVH's own download would meet too).
 */
import type { DownloadFailure } from '@byoi/shared';

/** The address guard refused a host: private, loopback, link-local, … */
export class GuardError extends Error {
  override readonly name = 'GuardError';
  constructor(
    message: string,
    readonly host: string,
    readonly address: string | null,
    /** The URL whose host was refused (the image's, or a redirect's), once known. */
    readonly url?: string,
  ) {
    super(message);
  }
}

export type FetchErrorKind =
  | 'dns'
  | 'connect'
  | 'tls'
  | 'timeout'
  | 'too-many-redirects'
  | 'bad-redirect'
  | 'too-large'
  | 'aborted'
  | 'http-status'
  | 'protocol';

/** A fetch that could not complete. The message never contains header values. */
export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
    readonly url: string,
    /**
     * What OVH's own download of the same URL would report (packages/shared's installer model),
     * when this error is one it would meet too; the preflight predicts OVH's message from it.
     */
    readonly failure?: DownloadFailure,
  ) {
    super(message);
  }
}
