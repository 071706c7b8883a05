import type { ImageType } from './imageChecks.ts';

/** A BYOI install as the engine runs it, read from either upstream route's body. */
export interface ByoiSpec {
  imageURL: string;
  imageType: ImageType;
  imageCheckSum?: string;
  /** md5, sha1, sha256 or sha512 (checked at submit). */
  imageCheckSumType?: string;
  httpHeaders: Record<string, string>;
  /** As sent: plain text or base64. */
  configDriveUserData?: string;
}

export interface InstallSpec {
  templateName: string;
  /** Null for OVH's ordinary templates, which install without downloading anything. */
  byoi: ByoiSpec | null;
}
