/**
 * The new-rollout form on the shared `createRolloutSchema`: what the inputs hold, the request they
 * make, and a resolver that checks that request with the BFF's own schema and puts each message
 * back on the input it is about.
 */
import {
  createRolloutSchema,
  DEFAULT_CANARY,
  rolloutPlanNotes,
  rolloutPlanSchema,
} from '@byoi/shared';
import type {
  CreateRolloutInput,
  RolloutOnBlocked,
  RolloutPlanInput,
  RolloutServerSelector,
} from '@byoi/shared';
import type { FieldError, FieldErrors, Resolver } from 'react-hook-form';

interface Pair {
  name: string;
  value: string;
}

export type ServersMode = 'names' | 'search';
export type ImageSource = 'library' | 'fields';

/** What the inputs hold: text everywhere, numbers included, so a blank field stays blank. */
export interface RolloutFormValues {
  name: string;
  servers: {
    mode: ServersMode;
    /** One name a line (spaces and commas also separate them). */
    names: string;
    search: string;
    /** Datacenters to keep; none ticked keeps every datacenter. */
    datacenter: string[];
  };
  image: {
    source: ImageSource;
    libraryImageId: string;
    version: string;
    imageURL: string;
    imageType: string;
    imageCheckSum: string;
    imageCheckSumType: string;
    checksumFileURL: string;
    efiBootloaderPath: string;
    httpHeaders: Pair[];
  };
  customizations: {
    configDriveUserData: string;
    configDriveMetadata: { key: string; value: string }[];
    sshKey: string;
  };
  plan: {
    canary: string;
    batchSize: string;
    maxInFlight: string;
    maxFailures: string;
    pauseAfterCanary: boolean;
    onBlocked: RolloutOnBlocked;
  };
}

export const EMPTY_ROLLOUT_FORM: RolloutFormValues = {
  name: '',
  servers: { mode: 'names', names: '', search: '', datacenter: [] },
  image: {
    source: 'library',
    libraryImageId: '',
    version: '',
    imageURL: '',
    imageType: '',
    imageCheckSum: '',
    imageCheckSumType: '',
    checksumFileURL: '',
    efiBootloaderPath: '',
    httpHeaders: [],
  },
  customizations: { configDriveUserData: '', configDriveMetadata: [], sshKey: '' },
  plan: {
    canary: String(DEFAULT_CANARY),
    batchSize: '',
    maxInFlight: '',
    maxFailures: '0',
    pauseAfterCanary: false,
    onBlocked: 'refuse',
  },
};

export function namesOf(text: string): string[] {
  return text.split(/[\s,]+/).filter((name) => name !== '');
}

/** Blank is "left out" (the schema's default applies); anything else is read as a number. */
function numberOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

function optional<K extends string>(key: K, text: string): Partial<Record<K, string>> {
  return text.trim() === '' ? {} : ({ [key]: text } as Record<K, string>);
}

export function planRequestOf(plan: RolloutFormValues['plan']): RolloutPlanInput {
  const numbers = {
    canary: numberOf(plan.canary),
    batchSize: numberOf(plan.batchSize),
    maxInFlight: numberOf(plan.maxInFlight),
    maxFailures: numberOf(plan.maxFailures),
  };
  // batchSize and maxInFlight have no default: left blank, they stay in for the schema to name.
  return {
    ...(numbers.canary === undefined ? {} : { canary: numbers.canary }),
    batchSize: numbers.batchSize as number,
    maxInFlight: numbers.maxInFlight as number,
    ...(numbers.maxFailures === undefined ? {} : { maxFailures: numbers.maxFailures }),
    pauseAfterCanary: plan.pauseAfterCanary,
    onBlocked: plan.onBlocked,
  };
}

export function serversRequestOf(
  servers: RolloutFormValues['servers'],
): string[] | Partial<RolloutServerSelector> {
  if (servers.mode === 'names') return namesOf(servers.names);
  return {
    search: servers.search.trim(),
    ...(servers.datacenter.length > 0 ? { datacenter: servers.datacenter } : {}),
  };
}

/** `POST /api/rollouts`: blanks left out, so the BFF applies the same defaults the form shows. */
export function requestOf(values: RolloutFormValues): CreateRolloutInput {
  const { image, customizations } = values;
  const imageRequest =
    image.source === 'library'
      ? {
          ...(image.libraryImageId === '' ? {} : { libraryImageId: image.libraryImageId }),
          ...(image.version === '' ? {} : { version: Number(image.version) }),
        }
      : {
          imageURL: image.imageURL,
          imageType: image.imageType,
          ...optional('imageCheckSum', image.imageCheckSum),
          ...optional('imageCheckSumType', image.imageCheckSumType),
          ...optional('checksumFileURL', image.checksumFileURL),
          ...optional('efiBootloaderPath', image.efiBootloaderPath),
          ...(image.httpHeaders.length > 0 ? { httpHeaders: image.httpHeaders } : {}),
        };
  return {
    name: values.name,
    servers: serversRequestOf(values.servers),
    image: imageRequest,
    customizations: {
      ...optional('configDriveUserData', customizations.configDriveUserData),
      configDriveMetadata: customizations.configDriveMetadata,
      ...optional('sshKey', customizations.sshKey),
    },
    plan: planRequestOf(values.plan),
  };
}

/** The plan's notes, once the plan as typed is valid; none while it is not. */
export function planNotesOf(plan: RolloutFormValues['plan'], serverCount: number): string[] {
  const parsed = rolloutPlanSchema.safeParse(planRequestOf(plan));
  return parsed.success ? rolloutPlanNotes(parsed.data, serverCount) : [];
}

/** The input a request path's message belongs on (`servers.3` is the names field). */
export function formPathOf(path: readonly PropertyKey[], values: RolloutFormValues): string {
  const [head, ...rest] = path.map(String);
  if (head === 'servers') {
    if (values.servers.mode === 'names') return 'servers.names';
    return rest[0] === 'datacenter' ? 'servers.datacenter' : 'servers.search';
  }
  if (head === 'image') {
    if (rest.length === 0) {
      return values.image.source === 'library' ? 'image.libraryImageId' : 'image.imageURL';
    }
    if (rest[0] === 'libraryImageId' || rest[0] === 'version') return `image.${rest[0]}`;
    return ['image', ...rest].join('.');
  }
  if (head === 'customizations' || head === 'plan') {
    return rest.length === 0 ? `${head}.root` : [head, ...rest].join('.');
  }
  return head ?? 'root';
}

/** Sets `message` at a dotted path of a nested errors object, keeping the first per input. */
function put(errors: Record<string, unknown>, path: string, message: string): void {
  const parts = path.split('.');
  let node = errors;
  for (const part of parts.slice(0, -1)) {
    node = (node[part] ??= {}) as Record<string, unknown>;
  }
  const last = parts.at(-1) ?? 'root';
  const existing = node[last] as FieldError | undefined;
  if (existing?.message === undefined) node[last] = { type: 'schema', message };
}

export const LIBRARY_IMAGE_MISSING =
  'Choose an image of the library, or choose “Type the image fields” and give its address.';

export const rolloutResolver: Resolver<RolloutFormValues, unknown, CreateRolloutInput> = (
  values,
) => {
  const request = requestOf(values);
  const result = createRolloutSchema.safeParse(request);
  if (result.success) return { values: request, errors: {} };
  const errors: Record<string, unknown> = {};
  // The schema's sentence is about the JSON body; on the form, the choice left to make is named.
  if (values.image.source === 'library' && values.image.libraryImageId === '') {
    put(errors, 'image.libraryImageId', LIBRARY_IMAGE_MISSING);
  } else if (values.image.source === 'library' && values.image.version === '') {
    put(errors, 'image.version', 'Choose the version of the image to install.');
  }
  for (const issue of result.error.issues)
    put(errors, formPathOf(issue.path, values), issue.message);
  return { values: {}, errors: errors as FieldErrors<RolloutFormValues> };
};
