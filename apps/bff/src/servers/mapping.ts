/** OVH's server objects → the API's DTOs (packages/shared/src/api.ts). */
import type {
  DiskGroupDto,
  HardwareDto,
  InstallProgressDto,
  ServerDetailResponse,
  ServerSummary,
} from '@byoi/shared';
import { hardwareSizes, imageLimitBytes } from '@byoi/shared';
import type { DedicatedServer, HardwareSpecifications } from '../ovh/types.ts';

export function displayNameOf(server: DedicatedServer): string {
  return server.iam?.displayName ?? server.displayName ?? server.name;
}

export function toServerSummary(server: DedicatedServer, installing: boolean): ServerSummary {
  return {
    name: server.name,
    displayName: displayNameOf(server),
    datacenter: server.datacenter,
    state: server.state,
    os: server.os,
    ip: server.ip ?? null,
    commercialRange: server.commercialRange ?? null,
    installing,
  };
}

export function toServerDetail(
  server: DedicatedServer,
  installing: boolean,
): ServerDetailResponse['server'] {
  return {
    ...toServerSummary(server, installing),
    reverse: server.reverse ?? null,
    rack: server.rack ?? null,
    powerState: server.powerState ?? null,
    supportLevel: server.supportLevel ?? null,
    efiBootloaderPath: server.efiBootloaderPath ?? null,
  };
}

export function toHardwareDto(hw: HardwareSpecifications): HardwareDto {
  // OVH's units as OVH means them: memory binary, disks decimal (packages/shared's units.ts).
  const sizes = hardwareSizes(hw);
  const diskGroups: DiskGroupDto[] = (hw.diskGroups ?? []).map((g, index) => ({
    diskGroupId: g.diskGroupId ?? index + 1,
    description: g.description ?? '',
    diskType: g.diskType ?? 'unknown',
    numberOfDisks: g.numberOfDisks ?? 0,
    diskSizeBytes: sizes.diskGroups[index]?.diskSizeBytes ?? 0,
    raidController: g.raidController ?? null,
  }));
  return {
    memoryBytes: sizes.memoryBytes,
    imageLimitBytes: imageLimitBytes(sizes.memoryBytes),
    // `uefi-legacy` servers boot UEFI images; the DTO only distinguishes the two families.
    bootMode: hw.bootMode === 'legacy' ? 'legacy' : 'uefi',
    diskGroups,
    description: hw.description ?? null,
    processorName: hw.processorName ?? null,
  };
}

interface RenderedDetail {
  hardware: HardwareSpecifications;
  install: InstallProgressDto;
  json: string;
}
// Warm, a server page is made of the same three cached objects on every request: its JSON is kept
// with them, keyed by the server's object so that it goes when the cache lets that object go.
const renderedDetails = new WeakMap<DedicatedServer, RenderedDetail>();

/**
 * The JSON of `GET /api/servers/:sn` (`ServerDetailResponse`), mapped and serialised once for as
 * long as its three parts are the same objects. The OVH cache hands out a new object whenever it
 * reads OVH again, and OVH's objects are never changed in place, so the same objects always mean
 * the same answer.
 */
export function serverDetailJson(
  server: DedicatedServer,
  hardware: HardwareSpecifications,
  install: InstallProgressDto,
): string {
  const known = renderedDetails.get(server);
  if (known?.hardware === hardware && known.install === install) return known.json;
  const body: ServerDetailResponse = {
    server: toServerDetail(server, install.state === 'running'),
    hardware: toHardwareDto(hardware),
    install,
  };
  const json = JSON.stringify(body);
  renderedDetails.set(server, { hardware, install, json });
  return json;
}
