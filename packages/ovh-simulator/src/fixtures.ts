/**
 * The servers the simulator starts with. Hardware is stored in OVH's own shapes
 * (`complexType.UnitAndValue_long`) and read as OVH means them (packages/shared's `ovhSizeBytes`):
 * memory in binary units (its "MB" is MiB), disks in decimal units, as sold.
 */

export type SizeUnit = 'MB' | 'GB' | 'TB';
export interface UnitAndValue {
  unit: SizeUnit;
  value: number;
}

/** `dedicated.server.StateEnum`. */
export type ServerState = 'ok' | 'error' | 'hacked' | 'hackedBlocked';
export type BootMode = 'uefi' | 'legacy';
export type DiskType = 'NVME' | 'SSD' | 'SATA' | 'SAS';

export interface DiskGroupFixture {
  diskGroupId: number;
  description: string;
  diskType: DiskType;
  numberOfDisks: number;
  /** One disk's capacity. */
  diskSize: UnitAndValue;
  raidController: string | null;
}

export interface ServerFixture {
  name: string;
  displayName: string;
  serverId: number;
  /** `dedicated.DatacenterEnum`. */
  datacenter: string;
  region: string;
  availabilityZone: string;
  state: ServerState;
  os: string;
  /**
   * `efiBootloaderPath` of `GET /dedicated/server/{sn}` before any install (null when absent);
   * a BYOI install with an `efiBootloaderPath` customization replaces it.
   */
  efiBootloaderPath?: string | null;
  ip: string;
  reverse: string;
  rack: string;
  commercialRange: string;
  supportLevel: 'critical' | 'fastpath' | 'gs' | 'pro';
  powerState: 'poweron' | 'poweroff';
  linkSpeed: number;
  hardware: {
    description: string;
    memorySize: UnitAndValue;
    bootMode: BootMode;
    processorName: string;
    numberOfProcessors: number;
    coresPerProcessor: number;
    threadsPerProcessor: number;
    motherboard: string;
    formFactor: '1u' | '2u';
    diskGroups: DiskGroupFixture[];
  };
}

/** An ordinary, healthy UEFI server: the one to use when a test just needs "a server". */
export const DEFAULT_SERVER = 'ns1234567.ip-51-91-0.eu';
/** RAM is 3 GiB + 8 MiB, so only images up to 8 MiB fit in memory (RAM − 3 GiB). */
export const SMALL_RAM_SERVER = 'ns-small-ram.ip-51-91-2.eu';
/** A single 16 MB (16 000 000 bytes) disk: a 64 GiB-virtual qcow2, or a raw image over 16 MB, does not fit. */
export const SMALL_DISK_SERVER = 'ns-small-disk.ip-51-91-3.eu';
/** Boots in legacy (BIOS) mode. */
export const LEGACY_SERVER = 'ns3001234.ip-145-239-10.eu';
/** In OVH state `error`. */
export const ERROR_SERVER = 'ns5012345.ip-54-38-100.net';

const GIB_AS_MB = 1024;

function disks(
  diskType: DiskType,
  numberOfDisks: number,
  diskSize: UnitAndValue,
  raidController: string | null = null,
): DiskGroupFixture[] {
  const sizeLabel = `${diskSize.value}${diskSize.unit}`;
  return [
    {
      diskGroupId: 1,
      description: `${numberOfDisks} X Disk ${diskType}, ${sizeLabel}, JBOD`,
      diskType,
      numberOfDisks,
      diskSize,
      raidController,
    },
  ];
}

export const DEFAULT_FIXTURES: readonly ServerFixture[] = [
  {
    name: DEFAULT_SERVER,
    displayName: 'web-prod-01',
    serverId: 1234567,
    datacenter: 'gra3',
    region: 'eu-west-gra',
    availabilityZone: 'eu-west-gra-a',
    state: 'ok',
    os: 'debian12_64',
    efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    ip: '51.91.0.12',
    reverse: 'ns1234567.ip-51-91-0.eu',
    rack: 'G312A04',
    commercialRange: 'advance-1',
    supportLevel: 'pro',
    powerState: 'poweron',
    linkSpeed: 1000,
    hardware: {
      description: 'ADVANCE-1 - AMD EPYC 4244P',
      memorySize: { unit: 'MB', value: 32 * GIB_AS_MB },
      bootMode: 'uefi',
      processorName: 'AMD EPYC 4244P',
      numberOfProcessors: 1,
      coresPerProcessor: 6,
      threadsPerProcessor: 12,
      motherboard: 'ASRockRack B650D4U',
      formFactor: '1u',
      diskGroups: disks('NVME', 2, { unit: 'GB', value: 960 }),
    },
  },
  {
    name: LEGACY_SERVER,
    displayName: 'db-legacy',
    serverId: 3001234,
    datacenter: 'rbx8',
    region: 'eu-west-rbx',
    availabilityZone: 'eu-west-rbx-a',
    state: 'ok',
    os: 'ubuntu2404-server_64',
    ip: '145.239.10.44',
    reverse: 'ns3001234.ip-145-239-10.eu',
    rack: 'R812B11',
    commercialRange: 'rise-1',
    supportLevel: 'gs',
    powerState: 'poweron',
    linkSpeed: 1000,
    hardware: {
      description: 'RISE-1 - Intel Xeon-E 2136',
      memorySize: { unit: 'MB', value: 64 * GIB_AS_MB },
      bootMode: 'legacy',
      processorName: 'Intel Xeon-E 2136',
      numberOfProcessors: 1,
      coresPerProcessor: 6,
      threadsPerProcessor: 12,
      motherboard: 'Supermicro X11SCH-F',
      formFactor: '1u',
      diskGroups: disks('SATA', 2, { unit: 'TB', value: 2 }, 'LSI MegaRAID 9361-4i'),
    },
  },
  {
    name: ERROR_SERVER,
    displayName: 'batch-03',
    serverId: 5012345,
    datacenter: 'sbg5',
    region: 'eu-west-sbg',
    availabilityZone: 'eu-west-sbg-a',
    state: 'error',
    os: 'rocky9_64',
    ip: '54.38.100.7',
    reverse: 'ns5012345.ip-54-38-100.net',
    rack: 'S504C02',
    commercialRange: 'rise-2',
    supportLevel: 'gs',
    powerState: 'poweroff',
    linkSpeed: 1000,
    hardware: {
      description: 'RISE-2 - Intel Xeon-E 2288G',
      memorySize: { unit: 'MB', value: 16 * GIB_AS_MB },
      bootMode: 'uefi',
      processorName: 'Intel Xeon-E 2288G',
      numberOfProcessors: 1,
      coresPerProcessor: 8,
      threadsPerProcessor: 16,
      motherboard: 'Supermicro X11SCW-F',
      formFactor: '1u',
      diskGroups: disks('SSD', 2, { unit: 'GB', value: 480 }),
    },
  },
  {
    name: SMALL_RAM_SERVER,
    displayName: 'tiny-ram',
    serverId: 9000001,
    datacenter: 'bhs6',
    region: 'ca-east-bhs',
    availabilityZone: 'ca-east-bhs-a',
    state: 'ok',
    os: 'debian12_64',
    ip: '51.91.2.20',
    reverse: 'ns-small-ram.ip-51-91-2.eu',
    rack: 'B603A01',
    commercialRange: 'kimsufi-ks-1',
    supportLevel: 'gs',
    powerState: 'poweron',
    linkSpeed: 100,
    hardware: {
      description: 'KS-1 - Intel Atom N2800',
      memorySize: { unit: 'MB', value: 3 * GIB_AS_MB + 8 },
      bootMode: 'uefi',
      processorName: 'Intel Atom N2800',
      numberOfProcessors: 1,
      coresPerProcessor: 2,
      threadsPerProcessor: 4,
      motherboard: 'Intel D2500CC',
      formFactor: '1u',
      diskGroups: disks('SATA', 1, { unit: 'GB', value: 500 }),
    },
  },
  {
    name: SMALL_DISK_SERVER,
    displayName: 'tiny-disk',
    serverId: 9000002,
    datacenter: 'gra3',
    region: 'eu-west-gra',
    availabilityZone: 'eu-west-gra-a',
    state: 'ok',
    os: 'debian12_64',
    ip: '51.91.3.30',
    reverse: 'ns-small-disk.ip-51-91-3.eu',
    rack: 'G305D07',
    commercialRange: 'kimsufi-ks-2',
    supportLevel: 'gs',
    powerState: 'poweron',
    linkSpeed: 100,
    hardware: {
      description: 'KS-2 - Intel Xeon D-1520',
      memorySize: { unit: 'MB', value: 16 * GIB_AS_MB },
      bootMode: 'uefi',
      processorName: 'Intel Xeon D-1520',
      numberOfProcessors: 1,
      coresPerProcessor: 4,
      threadsPerProcessor: 8,
      motherboard: 'Supermicro X10SDV-4C-7TP4F',
      formFactor: '1u',
      diskGroups: disks('SSD', 1, { unit: 'MB', value: 16 }),
    },
  },
  {
    name: 'ns6054321.ip-135-125-20.eu',
    displayName: 'win-app-02',
    serverId: 6054321,
    datacenter: 'rbx8',
    region: 'eu-west-rbx',
    availabilityZone: 'eu-west-rbx-a',
    state: 'ok',
    os: 'win2022-std_64',
    ip: '135.125.20.61',
    reverse: 'ns6054321.ip-135-125-20.eu',
    rack: 'R803F05',
    commercialRange: 'scale-a1',
    supportLevel: 'critical',
    powerState: 'poweron',
    linkSpeed: 10000,
    hardware: {
      description: 'SCALE-A1 - AMD EPYC 9124',
      memorySize: { unit: 'MB', value: 128 * GIB_AS_MB },
      bootMode: 'uefi',
      processorName: 'AMD EPYC 9124',
      numberOfProcessors: 1,
      coresPerProcessor: 16,
      threadsPerProcessor: 32,
      motherboard: 'Supermicro H13SSL-N',
      formFactor: '1u',
      diskGroups: disks('NVME', 2, { unit: 'GB', value: 1920 }, 'Broadcom MegaRAID 9560-8i'),
    },
  },
];

const GENERATED_DATACENTERS = [
  { datacenter: 'gra3', region: 'eu-west-gra', rack: 'G3' },
  { datacenter: 'rbx8', region: 'eu-west-rbx', rack: 'R8' },
  { datacenter: 'sbg5', region: 'eu-west-sbg', rack: 'S5' },
  { datacenter: 'bhs6', region: 'ca-east-bhs', rack: 'B6' },
] as const;
const GENERATED_OS = ['debian12_64', 'ubuntu2404-server_64', 'rocky9_64', 'byoi_64'] as const;
const GENERATED_RAM_GIB = [32, 64, 96, 128] as const;
const GENERATED_RANGES = ['advance-1', 'advance-2', 'rise-1', 'scale-a1'] as const;

/** A small deterministic PRNG (mulberry32): the same index always yields the same server. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(values: readonly T[], r: number): T {
  return values[Math.floor(r * values.length) % values.length] as T;
}

/** `count` extra healthy servers, identical from run to run (used by the fleet benchmark). */
export function generateServers(count: number): ServerFixture[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`serverCount must be a whole number ≥ 0 (got ${String(count)}).`);
  }
  return Array.from({ length: count }, (_, index) => {
    const next = random(index + 1);
    const serverId = 4100000 + index;
    const [a, b] = [Math.floor(next() * 200) + 37, Math.floor(next() * 256)];
    const ipBlock = `${a}-${b}-${index % 256}`;
    const place = pick(GENERATED_DATACENTERS, next());
    const ramGib = pick(GENERATED_RAM_GIB, next());
    const nvme = next() < 0.5;
    return {
      name: `ns${serverId}.ip-${ipBlock}.eu`,
      displayName: `fleet-${String(index + 1).padStart(4, '0')}`,
      serverId,
      datacenter: place.datacenter,
      region: place.region,
      availabilityZone: `${place.region}-a`,
      state: 'ok',
      os: pick(GENERATED_OS, next()),
      ip: `${a}.${b}.${index % 256}.${Math.floor(next() * 250) + 2}`,
      reverse: `ns${serverId}.ip-${ipBlock}.eu`,
      rack: `${place.rack}${String(index % 100).padStart(2, '0')}A${String(index % 12).padStart(2, '0')}`,
      commercialRange: pick(GENERATED_RANGES, next()),
      supportLevel: 'gs',
      powerState: 'poweron',
      linkSpeed: 1000,
      hardware: {
        description: 'ADVANCE-2 - AMD EPYC 4344P',
        memorySize: { unit: 'MB', value: ramGib * GIB_AS_MB },
        bootMode: next() < 0.85 ? 'uefi' : 'legacy',
        processorName: 'AMD EPYC 4344P',
        numberOfProcessors: 1,
        coresPerProcessor: 8,
        threadsPerProcessor: 16,
        motherboard: 'ASRockRack B650D4U',
        formFactor: '1u',
        diskGroups: nvme
          ? disks('NVME', 2, { unit: 'GB', value: 960 })
          : disks('SSD', 2, { unit: 'GB', value: 480 }),
      },
    } satisfies ServerFixture;
  });
}
