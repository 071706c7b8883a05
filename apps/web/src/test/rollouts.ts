/** Rollouts and webhooks as the BFF answers them, for the unit tests. */
import type {
  RolloutCountsDto,
  RolloutDetailDto,
  RolloutServerDto,
  RolloutServerState,
  RolloutState,
  WebhookDeliveryDto,
  WebhookDto,
} from '@byoi/shared';
import { ROLLOUT_SERVER_STATES } from '@byoi/shared';

export const ROLLOUT_ID = 'ro-1';
export const OVH_FAILURE = 'Could not download image: The requested URL returned error: 403';
export const BLOCKED_REASON =
  'The image (40 GiB) is larger than this server can download into memory (29 GiB: RAM − 3 GiB).';

export function rolloutServer(
  name: string,
  state: RolloutServerState,
  message: string | null = null,
): RolloutServerDto {
  return {
    name,
    displayName: null,
    datacenter: 'gra3',
    state,
    wave: state === 'blocked' ? null : 1,
    profile: state === 'blocked' ? 'small' : 'big',
    message,
    taskId: null,
    installId: null,
    startedAt: null,
    endedAt: null,
  };
}

export function countsOf(servers: readonly RolloutServerDto[]): RolloutCountsDto {
  const counts = Object.fromEntries(ROLLOUT_SERVER_STATES.map((s) => [s, 0])) as Record<
    RolloutServerState,
    number
  >;
  for (const server of servers) counts[server.state] += 1;
  return { ...counts, total: servers.length };
}

/** Three servers ready to install and one the image cannot fit. */
export const READY_SERVERS = [
  rolloutServer('ns100001.ip-51-91-0.eu', 'pending'),
  rolloutServer('ns100002.ip-51-91-0.eu', 'pending'),
  rolloutServer('ns100003.ip-51-91-0.eu', 'pending'),
  rolloutServer('ns100004.ip-51-91-0.eu', 'blocked', BLOCKED_REASON),
];

/** A rollout under way: two done, one failed, one installing, two pending, one skipped. */
export const RUNNING_SERVERS = [
  rolloutServer('ns100001.ip-51-91-0.eu', 'done'),
  rolloutServer('ns100002.ip-51-91-0.eu', 'done'),
  rolloutServer('ns100003.ip-51-91-0.eu', 'failed', OVH_FAILURE),
  rolloutServer('ns100004.ip-51-91-0.eu', 'installing'),
  rolloutServer('ns100005.ip-51-91-0.eu', 'pending'),
  rolloutServer('ns100006.ip-51-91-0.eu', 'pending'),
  rolloutServer('ns100007.ip-51-91-0.eu', 'skipped', BLOCKED_REASON),
];

export function rolloutOf(
  state: RolloutState,
  servers: RolloutServerDto[] = state === 'ready' ? READY_SERVERS : RUNNING_SERVERS,
  overrides: Partial<RolloutDetailDto> = {},
): RolloutDetailDto {
  const checked = state !== 'planned' && state !== 'checking';
  return {
    id: ROLLOUT_ID,
    name: 'Debian 12.8 on web',
    state,
    plan: {
      canary: 1,
      batchSize: 2,
      maxInFlight: 2,
      maxFailures: 0,
      pauseAfterCanary: false,
      onBlocked: 'skip',
    },
    counts: countsOf(servers),
    image: {
      imageURL: 'https://images.example.com/debian-12.8.qcow2',
      imageType: 'qcow2',
      imageCheckSum: null,
      imageCheckSumType: null,
      checksumFileURL: null,
      efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
      httpHeaderNames: [],
      libraryImage: { id: 'img-debian', name: 'Debian 12 web', version: 2 },
    },
    createdBy: 'alice',
    createdAt: '2026-12-01T09:00:00.000Z',
    startedAt: checked && state !== 'ready' ? '2026-12-01T09:05:00.000Z' : null,
    endedAt: null,
    etaSeconds: state === 'running' ? 750 : null,
    servers,
    matrix: checked
      ? {
          checkedAt: '2026-12-01T09:01:00.000Z',
          resolvedChecksum: { checksum: 'ab'.repeat(32), type: 'sha256' },
          imageChecks: [
            {
              id: 'reachability',
              status: 'pass',
              title: 'Reachability',
              sentence: 'The image answered 200 with 1.2 GiB.',
            },
            {
              id: 'format',
              status: 'pass',
              title: 'Format',
              sentence: 'The file is a qcow2 image, as declared.',
            },
          ],
          profiles: [
            {
              key: 'big',
              label: '64 GiB RAM · 2 × 960 GB NVMe · UEFI',
              servers: servers.filter((s) => s.profile === 'big').map((s) => s.name),
              verdict: 'ok',
              reasons: [],
            },
            {
              key: 'small',
              label: '32 GiB RAM · 2 × 480 GB SSD · UEFI',
              servers: servers.filter((s) => s.profile === 'small').map((s) => s.name),
              verdict: 'blocked',
              reasons: [BLOCKED_REASON],
            },
          ],
        }
      : null,
    notes: [],
    events: [
      {
        seq: 1,
        at: '2026-12-01T09:00:00.000Z',
        kind: 'created',
        server: null,
        message: 'alice planned the rollout.',
        user: 'alice',
      },
      {
        seq: 2,
        at: '2026-12-01T09:01:00.000Z',
        kind: 'checked',
        server: null,
        message: 'The check found 1 server the image cannot fit.',
        user: null,
      },
    ],
    checkError: null,
    ...overrides,
  };
}

export const webhook: WebhookDto = {
  id: 'wh-1',
  url: 'https://hooks.example.com/byoi',
  events: ['rollout.done', 'rollout.failed'],
  description: 'On-call chat',
  enabled: true,
  createdBy: 'alice',
  createdAt: '2026-12-01T08:00:00.000Z',
  lastDelivery: { at: '2026-12-01T09:30:00.000Z', state: 'failed', status: 500 },
};

export const delivery: WebhookDeliveryDto = {
  id: 'dl-1',
  eventId: 'ev-1',
  event: 'rollout.failed',
  createdAt: '2026-12-01T09:29:00.000Z',
  state: 'failed',
  nextAttemptAt: '2026-12-01T09:35:00.000Z',
  attempts: [
    { attempt: 1, at: '2026-12-01T09:29:01.000Z', durationMs: 120, status: 500, error: null },
    {
      attempt: 2,
      at: '2026-12-01T09:30:00.000Z',
      durationMs: 10000,
      status: null,
      error: 'timed out after 10 s',
    },
  ],
};
