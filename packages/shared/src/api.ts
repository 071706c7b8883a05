/**
 * The BFF's HTTP API: request and response bodies shared by apps/bff (which produces them) and
 * apps/web (which consumes them). Every `/api/*` error answers with `ApiErrorBody`.
 */
import type { CatalogEntry } from './catalog.ts';
import type { EspReport } from './image/esp.ts';
import type { ChecksumType, ImageType, InstallRoute } from './form.ts';
import type { RolloutPlan, RolloutServerState, RolloutState, WebhookEventType } from './rollout.ts';

/** `dedicated.TaskStatusEnum` in OVH's OpenAPI description. */
export type TaskStatus =
  'init' | 'todo' | 'doing' | 'done' | 'customerError' | 'ovhError' | 'cancelled';

/** `dedicated.server.InstallationProgressStatusEnum`. */
export type InstallStepStatus =
  'doing' | 'done' | 'error' | 'expired' | 'idle' | 'pending' | 'stopping' | 'todo';

export type BootMode = 'uefi' | 'legacy';

/** One row of the fleet list. */
export interface ServerSummary {
  /** OVH service name, e.g. `ns1234567.ip-51-91-0.eu`. */
  name: string;
  displayName: string;
  datacenter: string;
  /** `dedicated.server.StateEnum`: ok, error, hacked, hackedBlocked. */
  state: string;
  os: string;
  ip: string | null;
  commercialRange: string | null;
  installing: boolean;
}

/** The columns the fleet list can be sorted by (OVH sorts them: `X-Pagination-Sort`). */
export const SERVER_SORT_FIELDS = ['name', 'displayName', 'datacenter', 'state', 'os'] as const;
export type ServerSortField = (typeof SERVER_SORT_FIELDS)[number];
export type SortOrder = 'asc' | 'desc';
/** What `GET /api/servers` assumes for a `sort` or `order` left out. */
export const SERVER_LIST_DEFAULTS = { sort: 'name', order: 'asc' } as const satisfies {
  sort: ServerSortField;
  order: SortOrder;
};

/**
 * `GET /api/servers?page=&pageSize=&search=&sort=&order=`: a page of the fleet, searched in service
 * names and display names (a substring, any case) and sorted by OVH.
 */
export interface ServerListResponse {
  items: ServerSummary[];
  /** Servers matching `search` across the whole fleet. */
  total: number;
  page: number;
  pageSize: number;
  /** The search as applied (trimmed): the rows answer it. */
  search: string;
  sort: ServerSortField;
  order: SortOrder;
}

export interface DiskGroupDto {
  diskGroupId: number;
  description: string;
  diskType: string;
  numberOfDisks: number;
  /** Size of one disk, bytes. */
  diskSizeBytes: number;
  raidController: string | null;
}

export interface HardwareDto {
  memoryBytes: number;
  /** RAM − 3 GiB: the largest image OVH can download into memory. */
  imageLimitBytes: number;
  bootMode: BootMode;
  diskGroups: DiskGroupDto[];
  description: string | null;
  processorName: string | null;
}

export interface InstallTaskDto {
  taskId: number;
  function: string;
  status: TaskStatus;
  comment: string | null;
  startDate: string;
  doneDate: string | null;
  lastUpdate: string | null;
}

export interface InstallStepDto {
  comment: string;
  status: InstallStepStatus;
  error: string | null;
}

export type InstallState = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** `GET /api/servers/:sn/install`: everything the progress screen shows. */
export interface InstallProgressDto {
  serverName: string;
  state: InstallState;
  /** 0–100, from the steps that are done. */
  percent: number;
  elapsedSeconds: number;
  steps: InstallStepDto[];
  /** The latest `reinstallServer` task, if any. */
  task: InstallTaskDto | null;
  /** On failure: OVH's message verbatim and what it means. */
  failure: { message: string; entry: CatalogEntry } | null;
  /**
   * What this console sent OVH for the latest install task, when it started that task itself
   * (absent for an install started elsewhere, or before the console last restarted).
   */
  submitted?: SubmittedInstallDto;
}

/** The facts of an install this console submitted, as the done page and the server page show them. */
export interface SubmittedInstallDto {
  taskId: number;
  route: InstallRoute;
  submittedAt: string;
  /** Userinfo removed and every query value blanked (keys kept): a signed URL's secret never shows. */
  imageURL: string;
  imageType: ImageType;
  imageCheckSum: string | null;
  imageCheckSumType: ChecksumType | null;
  customHostname: string | null;
  efiBootloaderPath: string | null;
  /**
   * What went into the Config Drive OVH builds (never the content); null when nothing did, so no
   * Config Drive was built. A hostname alone also makes one (it carries the hostname).
   */
  configDrive: { userData: boolean; metadataKeys: number; sshKey: boolean } | null;
}

/** `GET /api/servers/:sn`. */
export interface ServerDetailResponse {
  server: ServerSummary & {
    reverse: string | null;
    rack: string | null;
    powerState: string | null;
    supportLevel: string | null;
    /** The EFI bootloader OVH boots this server with (`efiBootloaderPath`), when set. */
    efiBootloaderPath: string | null;
  };
  hardware: HardwareDto;
  install: InstallProgressDto;
}

export interface TemplateDto {
  name: string;
  displayName: string;
  description: string | null;
  family: string | null;
}

export interface TemplateCategoryDto {
  /** OVH's category, e.g. `CUSTOMER` for byoi_64. */
  category: string;
  /** What the UI calls it, e.g. `Custom`. */
  label: string;
  templates: TemplateDto[];
}

/** `GET /api/servers/:sn/templates`. */
export interface TemplatesResponse {
  categories: TemplateCategoryDto[];
}

/** `POST /api/servers/:sn/install` answers 202 with this. */
export interface InstallResponse {
  route: InstallRoute;
  task: InstallTaskDto;
}

/** `GET /api/meta`. Never a key. */
export interface MetaResponse {
  mode: 'simulator' | 'real';
  /** e.g. `ovh-eu`, or `simulator`. */
  endpoint: string;
  installRoute: InstallRoute;
  version: string;
}

export type ApiErrorCode =
  /** The request itself is not well-formed (its address, a header, its encoding). */
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'INSTALL_IN_PROGRESS'
  /** Cancel asked, but the latest install task has already ended. */
  | 'INSTALL_NOT_RUNNING'
  | 'NOT_FOUND'
  | 'UPSTREAM_BAD_REQUEST'
  | 'UPSTREAM_FORBIDDEN'
  | 'UPSTREAM_NOT_FOUND'
  | 'UPSTREAM_CONFLICT'
  /** OVH answered 460: the server's service has expired. */
  | 'UPSTREAM_SERVICE_EXPIRED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CSRF_FAILED'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'BAD_JSON'
  | 'PREFLIGHT_REFUSED'
  /** Another image of the library (not archived) has this name. */
  | 'IMAGE_NAME_TAKEN'
  /** The library image is archived: it can be read, not changed or used. */
  | 'IMAGE_ARCHIVED'
  /** Real mode without SECRETS_KEY: header values cannot be stored. */
  | 'SECRETS_KEY_MISSING'
  /** The stored header values were sealed with another SECRETS_KEY than this console's. */
  | 'SECRETS_KEY_MISMATCH'
  /** The console's database (its store) did not answer: nothing was done; try again later. */
  | 'STORE_UNAVAILABLE'
  /** The rollout is in a state where this step cannot be taken (the sentence says which). */
  | 'ROLLOUT_CONFLICT'
  /** A rollout's server search matched no server the user may see. */
  | 'NO_SERVERS_MATCH'
  | 'INTERNAL';

export interface ApiErrorBody {
  error: {
    code: ApiErrorCode;
    /** A sentence for a person: what is wrong and how to fix it. */
    message: string;
    details?: {
      /** Form field path (`imageURL`, `httpHeaders.0.value`) → messages. */
      fieldErrors?: Record<string, string[]>;
      /** OVH's own error class and message, when the failure came from OVH. */
      ovhClass?: string;
      ovhMessage?: string;
      /**
       * OVH's query id (its `X-Ovh-QueryID` response header, e.g. `EU.ext-5.66a1f2c3.12345.8f3e…`)
       * of the call that failed: the reference OVHcloud support asks for. Set whenever OVH's
       * answer carried one, also for a failure the console words itself (a timeout after OVH's
       * headers, an answer that was not JSON).
       */
      ovhQueryId?: string;
      /** For UPSTREAM_FORBIDDEN: the access rule the OVH key lacks, e.g. `POST /dedicated/server/*`. */
      missingRule?: string;
    };
  };
}

// ---- Preflight (issue: check the image before the server is wiped) ----

export type PreflightVerdict = 'pass' | 'warn' | 'fail' | 'skipped';

export type PreflightCheckId =
  'reachability' | 'size' | 'format' | 'bootMode' | 'efiBootloader' | 'checksum' | 'checksumFile';

export interface PreflightCheck {
  id: PreflightCheckId;
  status: PreflightVerdict;
  title: string;
  /** One sentence for a person. */
  sentence: string;
  /** For a fail: the upstream message OVH would give (DESIGN.md's table), verbatim. */
  predictedMessage?: string;
  remedy?: string;
}

export interface PreflightImageFacts {
  finalURL: string;
  httpStatus: number | null;
  contentLength: number | null;
  acceptRanges: boolean;
  detectedType: string | null;
  description: string | null;
  virtualSizeBytes: number | null;
  partitionTable: 'gpt' | 'mbr' | null;
  uefiCapable: boolean | null;
  legacyCapable: boolean | null;
}

/** `POST /api/servers/:sn/preflight`. */
export interface PreflightReport {
  serverName: string;
  verdict: Exclude<PreflightVerdict, 'skipped'>;
  checkedAt: string;
  checks: PreflightCheck[];
  facts: PreflightImageFacts;
  /** Filled from a checksum file, when the operator gave one. */
  resolvedChecksum?: { checksum: string; type: ChecksumType; matchedLine: string };
  /**
   * When the preflight predicts a failure: the one message OVH would end the install with, i.e. the
   * first failing check in OVH's own order (download, RAM, format, disk size, write).
   */
  predictedMessage?: string;
  /**
   * The image's EFI system partition as read through ranged requests: its `.efi` files and the
   * bootloader path to suggest; null when it was not read (no disk image, no ranges, no download).
   */
  esp: EspReport | null;
}

export interface PreflightRequest {
  imageURL: string;
  imageType: ImageType;
  /** The path the operator means to give OVH; checked against the image's EFI system partition. */
  efiBootloaderPath?: string;
  imageCheckSum?: string;
  imageCheckSumType?: ChecksumType;
  httpHeaders?: { name: string; value: string }[];
  checksumFileURL?: string;
  /** The library version the image came from: its stored headers are added for the image's origin. */
  libraryImage?: LibraryImageRef;
}

/**
 * `POST /api/servers/:sn/preflight/verify` (text/event-stream): `progress` events with this body,
 * at most a few per second, then exactly one `result` (`PreflightVerifyResult`) or one `error`
 * (`PreflightVerifyError`). The browser cancels by aborting the fetch; the download stops with it.
 */
export interface PreflightProgressEvent {
  bytes: number;
  /** The image's size from `Content-Length`; null when the host does not say. */
  totalBytes: number | null;
  bytesPerSecond: number;
  /** Null while the size or the rate is unknown. */
  etaSeconds: number | null;
}

export interface PreflightVerifyResult {
  match: boolean;
  algorithm: ChecksumType;
  /** The checksum given (or read from the checksum file), lower-case hex. */
  expected: string;
  /** The checksum of the bytes the image URL served, lower-case hex. */
  actual: string;
  bytes: number;
  /** On a mismatch: OVH's `Bad <type> for downloaded file, got: … while expecting ….` verbatim. */
  predictedMessage?: string;
  remedy?: string;
  /** The checksum file's line the expected checksum came from, when a checksum file was used. */
  matchedLine?: string;
}

export type PreflightVerifyErrorCode =
  /** The address guard refused the image (or checksum file) host. */
  | 'PREFLIGHT_REFUSED'
  /** The image could not be downloaded: OVH's download would fail too. */
  | 'DOWNLOAD_FAILED'
  /** More bytes than the server's RAM − 3 GiB: OVH would stop there too. */
  | 'IMAGE_TOO_BIG'
  /** No checksum to compare with: none given and none found in the checksum file. */
  | 'NO_CHECKSUM'
  | 'INTERNAL';

export interface PreflightVerifyError {
  code: PreflightVerifyErrorCode;
  /** What went wrong and what to do, for a person. Never a header value. */
  message: string;
  /** The upstream message OVH would give for the same failure, when there is one. */
  predictedMessage?: string;
  remedy?: string;
}

// ---- Operators, sessions and the audit log (issue 7) ----

/** `viewer` lists servers and reads progress; `operator` may also preflight, install and cancel. */
export type ConsoleRole = 'viewer' | 'operator';

/** The signed-in operator as the browser may know it: never a hash, never a token. */
export interface SessionUserDto {
  username: string;
  role: ConsoleRole;
  /** Server-name patterns this user may see (`*` any run of characters, `?` one character). */
  servers: string[];
}

/** `POST /api/session`. */
export interface SignInRequest {
  username: string;
  password: string;
}

/** `POST /api/session` (200) and `GET /api/session`. */
export interface SessionResponse {
  user: SessionUserDto;
}

export const AUDIT_EVENTS = [
  'sign-in',
  'sign-out',
  'preflight',
  'install',
  'cancel',
  'refusal',
  'image-create',
  'image-version',
  'image-update',
  'image-archive',
  'rollout-create',
  'rollout-start',
  'rollout-pause',
  'rollout-resume',
  'rollout-abort',
  'webhook-create',
  'webhook-update',
  'webhook-delete',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/**
 * How a request ended: `success`, `failure` or `refused` (by a guard). An install that OVH accepted
 * is `submitted`, not a success: how it then ended is an entry of its own, `done`, `failed` or
 * `cancelled`, written when the console learns it. A checksum verification stopped before its
 * result is `cancelled` too.
 */
export const AUDIT_OUTCOMES = [
  'success',
  'failure',
  'refused',
  'submitted',
  'done',
  'failed',
  'cancelled',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One line of the audit log. Header values and user data appear only as SHA-256 digests. */
export interface AuditEntryDto {
  /** Unique; an install's outcome names its submit's in `relatesTo`. */
  id: string;
  time: string;
  event: AuditEvent;
  outcome: AuditOutcome;
  /** The signed-in user, or the username tried at sign-in; null when unknown. */
  user: string | null;
  role: ConsoleRole | null;
  ip: string | null;
  /** The request; absent on an install's outcome and on aggregated refusals, which no one request made. */
  method?: string;
  route?: string;
  status?: number;
  code?: string;
  server?: string;
  /** Userinfo removed and every query value blanked (keys kept). */
  imageURL?: string;
  imageType?: string;
  imageCheckSum?: string;
  imageCheckSumType?: string;
  checksumFileURL?: string;
  httpHeaders?: { name: string; valueSha256: string }[];
  configDriveUserDataSha256?: string;
  taskId?: number;
  idempotencyKeySha256?: string;
  replayed?: boolean;
  /** On an install's outcome: the id of the submit entry of the same install. */
  relatesTo?: string;
  /** How the console learnt an install's outcome: a progress read, or its own watch of the install. */
  learnedFrom?: 'progress' | 'watch';
  /**
   * OVH's message for a failed install, or the failure a preflight predicts; URLs in it are
   * redacted like `imageURL`.
   */
  message?: string;
  /** A preflight's (or checksum verification's) checks that failed. */
  failedChecks?: PreflightCheckId[];
  /** The operator installed although a check predicted this failure (URLs redacted). */
  acknowledged?: { predictedMessage: string };
  /**
   * Refusals without a session are written once per client address and minute: how many there
   * were (`count`), when the first came (`firstTime`; `time` is the last) and a few of their
   * requests (`samples`, e.g. `GET /api/servers → 401`).
   */
  count?: number;
  firstTime?: string;
  samples?: string[];
  /** On an image library change: the image (and version) it was about. */
  imageId?: string;
  imageName?: string;
  imageVersion?: number;
  /** On a rollout's change: the rollout, and how many servers it covers. */
  rolloutId?: string;
  rolloutName?: string;
  serverCount?: number;
}

/** `GET /api/audit`: newest first. */
export interface AuditListResponse {
  entries: AuditEntryDto[];
  /** Pass as `cursor` for the next page (older entries); null on the last page. */
  nextCursor: string | null;
  /** Pass as `cursor` for the previous page (newer entries); null on the newest page. */
  prevCursor: string | null;
}

/** `GET /api/audit`'s query; every filter is optional and they combine (all must match). */
export interface AuditQuery {
  /** Part of the user name, any case. */
  user?: string;
  /** Part of the server name, any case. */
  server?: string;
  /** One event, or several separated by commas. */
  event?: string;
  /** One outcome, or several separated by commas. */
  outcome?: string;
  /** ISO 8601 date-times with a zone, e.g. `2026-11-26T09:00:00Z`: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  /** 1–1000; 100 by default. */
  limit?: number;
  /** `nextCursor` or `prevCursor` of an earlier answer. */
  cursor?: string;
}

// ---- Install history (every install this console started, kept in the store) ----

/** `running` until the console learns the end; `unknown` when OVH no longer knows the task. */
export type InstallRecordOutcome = 'running' | 'done' | 'failed' | 'cancelled' | 'unknown';

/** One install the console started, as the server page's History tab shows it. */
export interface InstallHistoryEntryDto {
  /** The id of the install's `submitted` audit entry. */
  id: string;
  server: string;
  taskId: number;
  user: string | null;
  route: InstallRoute;
  submittedAt: string;
  endedAt: string | null;
  /** From submit to the end the console learnt; null while running. */
  durationSeconds: number | null;
  outcome: InstallRecordOutcome;
  /** OVH's message for a failed install (URLs redacted). */
  message: string | null;
  /** What was installed. Never a header value; user data only as its SHA-256. */
  image: {
    /** Userinfo removed and query values blanked, as in the audit log. */
    imageURL: string;
    /** True when the address had parts the console does not keep (query values, userinfo). */
    imageURLRedacted: boolean;
    imageType: ImageType;
    imageCheckSum: string | null;
    imageCheckSumType: ChecksumType | null;
    efiBootloaderPath: string | null;
    httpHeaderNames: string[];
    customHostname: string | null;
    configDriveUserDataSha256: string | null;
  };
  /** The library image it came from, when it did. */
  libraryImage: { id: string; name: string; version: number } | null;
}

/** `GET /api/servers/:sn/installs?limit=&cursor=`: newest first. */
export interface InstallHistoryResponse {
  entries: InstallHistoryEntryDto[];
  /** Pass as `cursor` for older entries; null on the last page. */
  nextCursor: string | null;
}

// ---- Image library ----

/** A library image's reference in an install or preflight body: its header values come from the store. */
export interface LibraryImageRef {
  id: string;
  version: number;
}

/** The last check (preflight) of a library image version. */
export interface LibraryImageCheckDto {
  verdict: PreflightVerdict;
  at: string;
  server: string;
  user: string | null;
  predictedMessage: string | null;
}

export interface LibraryImageVersionDto {
  version: number;
  imageURL: string;
  imageType: ImageType;
  imageCheckSum: string | null;
  imageCheckSumType: ChecksumType | null;
  checksumFileURL: string | null;
  efiBootloaderPath: string | null;
  /** Header names only: values are write-only, kept encrypted, never sent to a browser. */
  httpHeaders: { name: string }[];
  notes: string;
  createdBy: string | null;
  createdAt: string;
  lastCheck: LibraryImageCheckDto | null;
}

export interface LibraryImageDto {
  id: string;
  name: string;
  notes: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  latest: LibraryImageVersionDto;
  versionCount: number;
  /** Set once archived: the image no longer appears in the list, and its history still links here. */
  archivedAt?: string;
}

/** `GET /api/images/:id`: the image with every version, newest first. */
export interface LibraryImageDetailResponse {
  image: LibraryImageDto;
  versions: LibraryImageVersionDto[];
}

/** `GET /api/images?search=`. */
export interface LibraryImageListResponse {
  images: LibraryImageDto[];
}

/**
 * A new version's fields. A header given without `value` keeps the value the previous version
 * stored under that name (the browser never has it); a header left out is dropped.
 */
export interface LibraryImageVersionInput {
  imageURL: string;
  imageType: ImageType;
  imageCheckSum?: string;
  imageCheckSumType?: ChecksumType;
  checksumFileURL?: string;
  efiBootloaderPath?: string;
  httpHeaders?: { name: string; value?: string }[];
  notes?: string;
}

/** `POST /api/images` → 201 `LibraryImageDetailResponse`. */
export interface CreateLibraryImageRequest {
  name: string;
  notes?: string;
  version: LibraryImageVersionInput;
}

/** `PATCH /api/images/:id`. */
export interface UpdateLibraryImageRequest {
  name?: string;
  notes?: string;
}

/** `GET /api/images/:id/installs`: where the image is installed, the latest install per server. */
export interface LibraryImageInstallsResponse {
  servers: {
    server: string;
    version: number;
    installId: string;
    submittedAt: string;
    outcome: InstallRecordOutcome;
  }[];
}

// ---- Rollouts ----

/** How many of a rollout's servers are in each state; `total` is all of them. */
export type RolloutCountsDto = Record<RolloutServerState, number> & { total: number };

/** The image a rollout installs, as the console keeps it (never a header value). */
export interface RolloutImageDto {
  /** Userinfo removed and query values blanked, as in the audit log. */
  imageURL: string;
  imageType: ImageType;
  imageCheckSum: string | null;
  imageCheckSumType: ChecksumType | null;
  checksumFileURL: string | null;
  efiBootloaderPath: string | null;
  httpHeaderNames: string[];
  libraryImage: { id: string; name: string; version: number } | null;
}

export interface RolloutSummaryDto {
  id: string;
  name: string;
  state: RolloutState;
  plan: RolloutPlan;
  counts: RolloutCountsDto;
  image: RolloutImageDto;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** Seconds until the last install should end, from the installs seen so far; null when unknown. */
  etaSeconds: number | null;
}

export interface RolloutServerDto {
  name: string;
  displayName: string | null;
  datacenter: string | null;
  state: RolloutServerState;
  /** 0 for the canaries, 1, 2, … for the batches; null before the check and when blocked. */
  wave: number | null;
  /** The hardware profile's key (see `RolloutMatrixDto`); null before the check. */
  profile: string | null;
  /** Why it is blocked, failed, skipped or cancelled; OVH's message for a failed install. */
  message: string | null;
  taskId: number | null;
  /** The install's record (`GET /api/installs/:id`), once OVH accepted it. */
  installId: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

/** One hardware profile of the preflight matrix: servers the rules cannot tell apart. */
export interface RolloutProfileDto {
  key: string;
  /** E.g. `64 GiB RAM · 2 × 960 GB NVMe · UEFI`. */
  label: string;
  servers: string[];
  verdict: 'ok' | 'blocked';
  /** Why the profile is blocked, as sentences; empty when it is ok. */
  reasons: string[];
}

/** The image probed once, and every server judged against it. */
export interface RolloutMatrixDto {
  checkedAt: string;
  /** The checksum the checksum file gave, installed with the image; null without a file. */
  resolvedChecksum: { checksum: string; type: ChecksumType } | null;
  /** The probe's own checks (checksum file, reachability, checksum, format); the EFI bootloader is judged per server. */
  imageChecks: PreflightCheck[];
  profiles: RolloutProfileDto[];
}

export interface RolloutEventDto {
  seq: number;
  at: string;
  /** E.g. `created`, `checked`, `started`, `install-started`, `install-ended`, `paused`, `aborted`. */
  kind: string;
  server: string | null;
  /** A sentence for the timeline. */
  message: string;
  user: string | null;
}

export interface RolloutDetailDto extends RolloutSummaryDto {
  servers: RolloutServerDto[];
  /** Null until the check has run. */
  matrix: RolloutMatrixDto | null;
  /** The plan's surprises (rolloutPlanNotes), as sentences. */
  notes: string[];
  /** Newest last; the latest 200. */
  events: RolloutEventDto[];
  /** When the check failed to run at all (e.g. OVH did not answer): what to do. */
  checkError: string | null;
}

/** `GET /api/rollouts?limit=&cursor=`: newest first. */
export interface RolloutListResponse {
  rollouts: RolloutSummaryDto[];
  nextCursor: string | null;
}

/** `POST /api/rollouts` → 201. */
export interface CreateRolloutResponse {
  id: string;
}

/** `POST /api/rollouts/:id/abort`. */
export interface AbortRolloutRequest {
  /** Also cancel the installs running at OVH (the servers are left unbootable). Default false. */
  cancelRunning?: boolean;
}

// ---- Webhooks ----

export interface WebhookDto {
  id: string;
  url: string;
  /** What it is told about. */
  events: WebhookEventType[];
  description: string;
  enabled: boolean;
  createdBy: string | null;
  createdAt: string;
  lastDelivery: { at: string; state: WebhookDeliveryState; status: number | null } | null;
}

/** `POST /api/webhooks`. `events` defaults to all of them. */
export interface CreateWebhookRequest {
  url: string;
  events?: WebhookEventType[];
  description?: string;
}

/** `POST /api/webhooks` → 201: the secret is shown this once and never again. */
export interface CreateWebhookResponse {
  webhook: WebhookDto;
  secret: string;
}

/** `PATCH /api/webhooks/:id`. */
export interface UpdateWebhookRequest {
  events?: WebhookEventType[];
  description?: string;
  enabled?: boolean;
}

export interface WebhookListResponse {
  webhooks: WebhookDto[];
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed' | 'refused';

export interface WebhookAttemptDto {
  attempt: number;
  at: string;
  durationMs: number;
  status: number | null;
  error: string | null;
}

export interface WebhookDeliveryDto {
  id: string;
  eventId: string;
  event: WebhookEventType;
  createdAt: string;
  state: WebhookDeliveryState;
  nextAttemptAt: string | null;
  attempts: WebhookAttemptDto[];
}

/** `GET /api/webhooks/:id/deliveries`: newest first, the latest 100. */
export interface WebhookDeliveriesResponse {
  deliveries: WebhookDeliveryDto[];
}
