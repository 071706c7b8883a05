import { describe, expect, it } from 'vitest';
import type { InstallProgressDto, ServerDetailResponse } from '@byoi/shared';
import type { DedicatedServer, HardwareSpecifications } from '../ovh/types.ts';
import { displayNameOf, serverDetailJson, toHardwareDto } from './mapping.ts';

const server = (over: Partial<DedicatedServer> = {}): DedicatedServer => ({
  name: 'ns1.example.eu',
  datacenter: 'gra3',
  state: 'ok',
  os: 'debian12_64',
  ip: '192.0.2.10',
  commercialRange: 'advance',
  reverse: null,
  rack: null,
  powerState: 'poweron',
  supportLevel: 'pro',
  serverId: 1,
  ...over,
});
const hardware = (): HardwareSpecifications => ({
  bootMode: 'uefi',
  description: null,
  processorName: null,
  memorySize: { unit: 'MB', value: 64 * 1024 },
  diskGroups: null,
});
const progress = (state: InstallProgressDto['state']): InstallProgressDto => ({
  serverName: 'ns1.example.eu',
  state,
  percent: 0,
  elapsedSeconds: 0,
  steps: [],
  task: null,
  failure: null,
});
const parse = (json: string) => JSON.parse(json) as ServerDetailResponse;

describe('server mapping', () => {
  it('reads RAM in binary units and disks as sold; the image limit is RAM − 3 GiB, never negative', () => {
    const hw = toHardwareDto({
      bootMode: 'uefi-legacy',
      description: 'X',
      processorName: null,
      memorySize: { unit: 'MB', value: 32 * 1024 },
      diskGroups: [
        {
          diskGroupId: 1,
          description: '2 X Disk NVME',
          diskType: 'NVME',
          numberOfDisks: 2,
          diskSize: { unit: 'GB', value: 960 },
          raidController: null,
        },
      ],
    });
    expect(hw.memoryBytes).toBe(32 * 1024 ** 3);
    expect(hw.imageLimitBytes).toBe(29 * 1024 ** 3);
    expect(hw.bootMode).toBe('uefi');
    expect(hw.diskGroups[0]?.diskSizeBytes).toBe(960_000_000_000);
    const tiny = toHardwareDto({
      bootMode: 'legacy',
      description: null,
      processorName: null,
      memorySize: { unit: 'MB', value: 1024 },
      diskGroups: null,
    });
    expect(tiny.imageLimitBytes).toBe(0);
    expect(tiny.bootMode).toBe('legacy');
  });

  it('prefers the IAM display name, then displayName, then the service name', () => {
    const base = { name: 'ns1' } as DedicatedServer;
    expect(displayNameOf(base)).toBe('ns1');
    expect(displayNameOf({ ...base, displayName: 'web' })).toBe('web');
    expect(displayNameOf({ ...base, displayName: 'web', iam: { displayName: 'iam-web' } })).toBe(
      'iam-web',
    );
  });

  describe('serverDetailJson', () => {
    it('maps a server page: the server, its hardware and its install', () => {
      const body = parse(serverDetailJson(server(), hardware(), progress('running')));
      expect(body.server).toMatchObject({ name: 'ns1.example.eu', installing: true, rack: null });
      expect(body.hardware.imageLimitBytes).toBe(61 * 1024 ** 3);
      expect(body.install.state).toBe('running');
    });

    it('serialises the same three objects once', () => {
      const s = server();
      const hw = hardware();
      const idle = progress('idle');
      const first = serverDetailJson(s, hw, idle);
      // Changed behind the memo's back (the cache never does this): the answer is the kept one.
      s.os = 'changed_64';
      expect(serverDetailJson(s, hw, idle)).toBe(first);
      expect(parse(serverDetailJson(server({ os: 'changed_64' }), hw, idle)).server.os).toBe(
        'changed_64',
      );
    });

    it('renders again when the hardware or the install is a new object', () => {
      const s = server();
      const hw = hardware();
      expect(parse(serverDetailJson(s, hw, progress('idle'))).server.installing).toBe(false);
      const running = parse(serverDetailJson(s, hw, progress('running')));
      expect(running.server.installing).toBe(true);
      expect(running.install.state).toBe('running');
      const bigger = { ...hw, memorySize: { unit: 'MB', value: 128 * 1024 } };
      expect(parse(serverDetailJson(s, bigger, progress('running'))).hardware.memoryBytes).toBe(
        128 * 1024 ** 3,
      );
    });
  });
});
