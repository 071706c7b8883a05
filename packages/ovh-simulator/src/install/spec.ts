import type { ImageType } from '@byoi/shared';

/** A BYOI install as the engine runs it, read from either upstream route's body. */
export interface ByoiSpec {
  imageURL: string;
  imageType: ImageType;
  imageCheckSum?: string;
  /** md5, sha1, sha256 or sha512 (checked at submit). */
  imageCheckSumType?: string;
  httpHeaders: Record<string, string>;
  /** As cloud-init will read it: decoded from base64 when it was sent encoded. */
  configDriveUserData?: string;
  /** `configDriveMetadata` (reinstall) or the flattened `configDriveMetadata<i>Key/Value` pairs. */
  configDriveMetadata: Record<string, string>;
  /** `hostname` (reinstall) or `details.customHostname` (install/start). */
  hostname?: string;
  sshKey?: string;
  efiBootloaderPath?: string;
}

export interface InstallSpec {
  templateName: string;
  /** Null for OVH's ordinary templates, which install without downloading anything. */
  byoi: ByoiSpec | null;
}
