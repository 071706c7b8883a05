/**
 * The config drive a BYOI install adds, as OVH builds it: only when a config-drive customization
 * is set, with the user data as cloud-init reads it and an OpenStack-style `meta_data.json` whose
 * `meta` is `configDriveMetadata`.
 */
import { createHash } from 'node:crypto';
import type { ServerFixture } from '../fixtures.ts';
import type { ByoiSpec } from './spec.ts';

/** `openstack/latest/meta_data.json`, the fields cloud-init's ConfigDrive datasource reads. */
export interface ConfigDriveMetaData {
  /** The instance id: new for every install, so cloud-init runs its first-boot modules again. */
  uuid: string;
  /** The `hostname` customization, or the server's name without one. */
  hostname: string;
  name: string;
  availability_zone: string;
  /** The `sshKey` customization under the name `default`; absent without one. */
  public_keys?: Record<string, string>;
  /** `configDriveMetadata`, as sent (empty without it). */
  meta: Record<string, string>;
}

/** What an install wrote to the config drive partition (label `config-2`). */
export interface ConfigDrive {
  /** `openstack/latest/user_data` as text (decoded from base64 when sent encoded); null without. */
  userData: string | null;
  metaData: ConfigDriveMetaData;
}

/** OVH adds a config drive only when one of the customizations that feed it is set. */
export function needsConfigDrive(spec: ByoiSpec): boolean {
  return (
    spec.hostname !== undefined ||
    spec.sshKey !== undefined ||
    spec.configDriveUserData !== undefined ||
    Object.keys(spec.configDriveMetadata).length > 0
  );
}

/** A UUID-shaped id that is the same for the same server and task (tests can predict it). */
function instanceId(serviceName: string, taskId: number): string {
  const hex = createHash('sha1').update(`${serviceName}/${taskId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The config drive for this install, or null when OVH would add none. */
export function buildConfigDrive(
  spec: ByoiSpec,
  server: ServerFixture,
  taskId: number,
): ConfigDrive | null {
  if (!needsConfigDrive(spec)) return null;
  const hostname = spec.hostname ?? server.name;
  return {
    userData: spec.configDriveUserData ?? null,
    metaData: {
      uuid: instanceId(server.name, taskId),
      hostname,
      name: hostname,
      availability_zone: server.availabilityZone,
      ...(spec.sshKey === undefined ? {} : { public_keys: { default: spec.sshKey } }),
      meta: { ...spec.configDriveMetadata },
    },
  };
}
