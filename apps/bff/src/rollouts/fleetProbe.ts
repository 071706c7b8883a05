/**
 * The one probe of a rollout: the single-server preflight's first phase, whose result every
 * server of the fleet is then judged against (matrix.ts). What fails here fails whatever the
 * server, so it blocks them all with one reason.
 */
import type { PreflightCheck, PreflightReport, PreflightRequest } from '@byoi/shared';
import { imageReadChecks, readImageForPreflight } from '../preflight/runPreflight.ts';
import type { SafeFetch } from '../preflight/safeFetch.ts';
import type { ProbedImage } from './matrix.ts';

export interface FleetImageProbe {
  image: ProbedImage;
  /** The server-independent checks, in the order a single-server report lists them. */
  checks: PreflightCheck[];
  /** The checksum a checksum file gave, to install the image with. */
  resolvedChecksum?: PreflightReport['resolvedChecksum'];
}

export async function probeFleetImage(
  input: PreflightRequest,
  deps: { fetch: SafeFetch; signal?: AbortSignal },
): Promise<FleetImageProbe> {
  const read = await readImageForPreflight(input, deps, 'fleet');
  const checks = imageReadChecks(read);
  const resolved = read.resolvedChecksum ? { resolvedChecksum: read.resolvedChecksum } : {};
  const failure = checks.find((c) => c.status === 'fail');
  if (failure) return { image: { status: 'failed', check: failure }, checks, ...resolved };
  // An image that could not be downloaded has failed its reachability check, returned above.
  if (!read.image) throw new Error('The image was not read, yet none of its checks failed.');
  return {
    image: {
      status: 'read',
      imageType: read.imageType,
      bytes: read.image.bytes,
      sniff: read.image.sniff,
      disk: read.image.disk,
      efiBootloaderPath: read.efiBootloaderPath,
    },
    checks,
    ...resolved,
  };
}
