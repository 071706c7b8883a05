/**
 * Fleet rollouts: a reinstall of many servers in waves (canaries, then batches). The plan schema
 * is the one guard for the web form and the BFF; the state names are the vocabulary the BFF's
 * scheduler, its store and the screens share.
 */
import { z } from 'zod';
import { byoiFormSchema, objectMessages } from './form.ts';
import { checksumFileURLSchema } from './library.ts';
import {
  MAX_ROLLOUT_DATACENTERS,
  MAX_ROLLOUT_SERVERS,
  ROLLOUT_NAME_MAX_LENGTH,
} from './rolloutLimits.ts';
import { serverNameProblem } from './serverName.ts';

export const ROLLOUT_STATES = [
  'planned',
  'checking',
  'ready',
  'running',
  'paused',
  'done',
  'failed',
  'aborted',
] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** A rollout in one of these states never leaves it. */
export const TERMINAL_ROLLOUT_STATES = [
  'done',
  'failed',
  'aborted',
] as const satisfies readonly RolloutState[];

export const ROLLOUT_SERVER_STATES = [
  'pending',
  'blocked',
  'installing',
  'done',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type RolloutServerState = (typeof ROLLOUT_SERVER_STATES)[number];

/** What the rollout does with servers the preflight says the image cannot fit. */
export const ROLLOUT_ON_BLOCKED = ['skip', 'refuse'] as const;
export type RolloutOnBlocked = (typeof ROLLOUT_ON_BLOCKED)[number];

/** The webhook events a rollout sends. */
export const ROLLOUT_NOTIFICATIONS = [
  'rollout.started',
  'rollout.canary_passed',
  'rollout.canary_failed',
  'rollout.paused',
  'rollout.failed',
  'rollout.done',
  'rollout.aborted',
] as const;
export type RolloutNotification = (typeof ROLLOUT_NOTIFICATIONS)[number];

/** Everything a webhook can be told about: a rollout's notifications, and single installs ending. */
export const WEBHOOK_EVENT_TYPES = [...ROLLOUT_NOTIFICATIONS, 'install.finished'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const MAX_CANARY = 100;
export const MAX_IN_FLIGHT = 100;
export const DEFAULT_CANARY = 1;

export const ROLLOUT_PLAN_FIELDS = [
  'canary',
  'batchSize',
  'maxInFlight',
  'maxFailures',
  'pauseAfterCanary',
  'onBlocked',
] as const;

/** A whole-number field of the plan; every message ends with `fix`: what the field means. */
function count(field: string, min: number, max: number | undefined, fix: string) {
  const range = max === undefined ? `${min} or more` : `from ${min} to ${max}`;
  const message = `plan.${field} must be a whole number ${range}: ${fix}`;
  const number = z.number({ error: message }).int(message).min(min, message);
  return max === undefined ? number : number.max(max, message);
}

export const rolloutPlanSchema = z.strictObject(
  {
    canary: count(
      'canary',
      0,
      MAX_CANARY,
      `how many servers are installed first, alone, before any batch (${DEFAULT_CANARY} if left out; 0 for no canary).`,
    ).default(DEFAULT_CANARY),
    batchSize: count(
      'batchSize',
      1,
      undefined,
      'how many servers make one batch after the canaries, e.g. 5. A batch starts only once the previous one has ended.',
    ),
    maxInFlight: count(
      'maxInFlight',
      1,
      MAX_IN_FLIGHT,
      `how many installs may run at the same time, e.g. 5. It may exceed batchSize, but no more than one batch ever runs at once, so the smaller of the two applies.`,
    ),
    maxFailures: count(
      'maxFailures',
      0,
      undefined,
      'how many servers may fail before the rollout stops starting installs (0 if left out: the first failure stops it).',
    ).default(0),
    pauseAfterCanary: z
      .boolean({
        error:
          'plan.pauseAfterCanary must be true (wait for your approval once the canaries are installed) or false (go on to the batches); false if left out.',
      })
      .default(false),
    onBlocked: z
      .enum(ROLLOUT_ON_BLOCKED, {
        error:
          "plan.onBlocked must be 'skip' (leave out the servers the image cannot fit, listed with the reason) or 'refuse' (do not start while any server is blocked); 'refuse' if left out.",
      })
      .default('refuse'),
  },
  { error: objectMessages('plan', ROLLOUT_PLAN_FIELDS) },
);

export type RolloutPlan = z.output<typeof rolloutPlanSchema>;
/** The plan as a client sends it: defaulted fields may be left out. */
export type RolloutPlanInput = z.input<typeof rolloutPlanSchema>;

/**
 * What a valid plan will do that the operator may not expect, as sentences for the form to show
 * beside it (not errors: the plan is accepted as it is).
 */
export function rolloutPlanNotes(plan: RolloutPlan, serverCount: number): string[] {
  const notes: string[] = [];
  if (plan.maxInFlight > plan.batchSize) {
    notes.push(
      `maxInFlight (${plan.maxInFlight}) is larger than batchSize (${plan.batchSize}): at most ${plan.batchSize} installs run at once after the canaries, since a batch starts only once the previous one has ended.`,
    );
  }
  if (plan.canary > plan.maxInFlight) {
    notes.push(
      `canary (${plan.canary}) is larger than maxInFlight (${plan.maxInFlight}): the canaries are installed ${plan.maxInFlight} at a time.`,
    );
  }
  if (serverCount > 0 && plan.canary >= serverCount) {
    notes.push(
      `canary (${plan.canary}) covers all ${serverCount} servers: every server is a canary and no batch follows.`,
    );
  }
  if (plan.canary === 0 && plan.pauseAfterCanary) {
    notes.push('pauseAfterCanary has no effect with canary 0: there is no canary to wait for.');
  }
  return notes;
}

// ---- the request that plans a rollout ----

const shape = byoiFormSchema.shape;

const serverNameSchema = z
  .string({
    error: 'Each server must be given by its name, as text (e.g. ns1234567.ip-51-91-0.eu).',
  })
  .superRefine((name, ctx) => {
    const problem = serverNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: `servers: ${problem}` });
  });

const serverNames = z
  .array(serverNameSchema)
  .min(1, 'servers must name at least one server, or be a search: { "search": "…" }.')
  .max(
    MAX_ROLLOUT_SERVERS,
    `servers names more than ${MAX_ROLLOUT_SERVERS} servers: split the fleet into several rollouts.`,
  )
  .superRefine((names, ctx) => {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `servers names ${name} twice: each server is installed at most once per rollout, so name it once.`,
        });
        return;
      }
      seen.add(name);
    }
  });

const ROLLOUT_SELECTOR_FIELDS = ['search', 'datacenter'] as const;

/** Every server the user may see whose name or display name contains `search`, in `datacenter`. */
const serverSelector = z.strictObject(
  {
    search: z
      .string({ error: 'servers.search must be text: part of a server name or display name.' })
      .trim()
      .max(255, 'servers.search must be at most 255 characters.')
      .default(''),
    datacenter: z
      .array(
        z
          .string({ error: 'servers.datacenter must list datacenters as text, e.g. "gra3".' })
          .trim()
          .min(1, 'servers.datacenter must not hold an empty name.')
          .max(50, 'servers.datacenter names are at most 50 characters.'),
      )
      .max(
        MAX_ROLLOUT_DATACENTERS,
        `servers.datacenter lists at most ${MAX_ROLLOUT_DATACENTERS} datacenters.`,
      )
      .default([]),
  },
  { error: objectMessages('servers', ROLLOUT_SELECTOR_FIELDS) },
);

export type RolloutServerSelector = z.output<typeof serverSelector>;

/** A list of names, or a search the BFF resolves against the fleet when the rollout is planned. */
export const rolloutServersSchema = z.unknown().transform((value, ctx) => {
  const result = Array.isArray(value)
    ? serverNames.safeParse(value)
    : value !== null && typeof value === 'object'
      ? serverSelector.safeParse(value)
      : undefined;
  if (result === undefined) {
    ctx.addIssue({
      code: 'custom',
      message:
        'servers must be a list of server names, or a search such as { "search": "web", "datacenter": ["gra3"] }.',
    });
    return z.NEVER;
  }
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    return z.NEVER;
  }
  return result.data;
});

export const ROLLOUT_IMAGE_FIELDS = [
  'libraryImageId',
  'version',
  'imageURL',
  'imageType',
  'imageCheckSum',
  'imageCheckSumType',
  'checksumFileURL',
  'httpHeaders',
  'efiBootloaderPath',
] as const;

/**
 * The image: a version of the image library (`libraryImageId` + `version`), or the install form's
 * image fields. The BFF checks the image fields with the install form's own rules.
 */
export const rolloutImageSchema = z
  .strictObject(
    {
      libraryImageId: shape.libraryImage.unwrap().shape.id.optional(),
      version: shape.libraryImage.unwrap().shape.version.optional(),
      imageURL: shape.imageURL.optional(),
      imageType: shape.imageType.optional(),
      imageCheckSum: shape.imageCheckSum,
      imageCheckSumType: shape.imageCheckSumType,
      checksumFileURL: checksumFileURLSchema,
      httpHeaders: shape.httpHeaders,
      efiBootloaderPath: shape.efiBootloaderPath,
    },
    { error: objectMessages('image', ROLLOUT_IMAGE_FIELDS) },
  )
  .superRefine((image, ctx) => {
    const fromLibrary = image.libraryImageId !== undefined || image.version !== undefined;
    if (fromLibrary) {
      if (image.libraryImageId === undefined || image.version === undefined) {
        ctx.addIssue({
          code: 'custom',
          message:
            'image from the library needs both libraryImageId and version, e.g. { "libraryImageId": "…", "version": 2 }.',
        });
      }
      if (image.imageURL !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message:
            'image names a library version and an imageURL: give one of them. The library version brings its own URL.',
        });
      }
      return;
    }
    if (image.imageURL === undefined || image.imageType === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'image needs imageURL and imageType (qcow2 or raw), or a library version: { "libraryImageId": "…", "version": 1 }.',
      });
    }
  });

export type RolloutImage = z.output<typeof rolloutImageSchema>;

export const ROLLOUT_CUSTOMIZATION_FIELDS = [
  'configDriveUserData',
  'configDriveMetadata',
  'sshKey',
] as const;

/** What every server gets besides the image. No hostname: one name for a whole fleet is wrong. */
export const rolloutCustomizationsSchema = z
  .strictObject(
    {
      configDriveUserData: shape.configDriveUserData,
      configDriveMetadata: shape.configDriveMetadata,
      sshKey: shape.sshKey,
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' && issue.keys.includes('customHostname')
          ? 'customizations.customHostname cannot be given to a rollout: every server would get the same hostname. Set hostnames per server with a single install, or through the config drive user data.'
          : objectMessages('customizations', ROLLOUT_CUSTOMIZATION_FIELDS)(issue),
    },
  )
  .default({ configDriveMetadata: [] });

export const CREATE_ROLLOUT_FIELDS = [
  'name',
  'servers',
  'image',
  'customizations',
  'plan',
] as const;

export const createRolloutSchema = z.strictObject(
  {
    name: z
      .string({ error: 'name must be text: what the rollout is for, e.g. "Debian 12.8 on web".' })
      .trim()
      .min(1, 'name must not be empty: say what the rollout is for, e.g. "Debian 12.8 on web".')
      .max(ROLLOUT_NAME_MAX_LENGTH, `name must be at most ${ROLLOUT_NAME_MAX_LENGTH} characters.`)
      .refine((value) => !/\p{Cc}/u.test(value), {
        message: 'name must be on one line, without control characters.',
      }),
    servers: rolloutServersSchema,
    image: rolloutImageSchema,
    customizations: rolloutCustomizationsSchema,
    plan: rolloutPlanSchema,
  },
  { error: objectMessages('The rollout', CREATE_ROLLOUT_FIELDS) },
);

export type CreateRollout = z.output<typeof createRolloutSchema>;
export type CreateRolloutInput = z.input<typeof createRolloutSchema>;
