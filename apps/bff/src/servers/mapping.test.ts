import { describe, expect, it } from 'vitest';
import type { DedicatedServer } from '../ovh/types.ts';
import { displayNameOf, toBytes, toHardwareDto } from './mapping.ts';

describe('server mapping', () => {
  it('reads OVH sizes as binary units', () => {
    expect(toBytes({ unit: 'MB', value: 1024 })).toBe(1024 ** 3);
    expect(toBytes({ unit: 'GB', value: 2 })).toBe(2 * 1024 ** 3);
    expect(toBytes({ unit: 'TB', value: 1 })).toBe(1024 ** 4);
    expect(toBytes(null)).toBe(0);
  });

  it('computes the image limit as RAM − 3 GiB, never negative', () => {
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
    expect(hw.diskGroups[0]?.diskSizeBytes).toBe(960 * 1024 ** 3);
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
});
