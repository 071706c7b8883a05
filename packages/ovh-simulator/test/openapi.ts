/**
 * Checks simulator answers against OVH's own OpenAPI 3.0 description of `/dedicated/server/*`
 * (a verbatim copy of shared/ovh-api/baremetal.openapi.json, reformatted by Prettier).
 *
 * OVH answers every property of an object (null when unset), but the file lists no `required`
 * properties; to catch a missing or misspelt field, every object schema is tightened here to
 * "all listed properties, nothing else". Ajv understands OpenAPI's `nullable` beside a `type`.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { ApiExchange } from '../src/index.ts';

const SPEC_URL = new URL('./openapi/baremetal.openapi.json', import.meta.url);
const SPEC_ID = 'ovh-baremetal';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Operation {
  /** The object type a list route answers when asked for expanded pages (`X-Pagination-Mode`). */
  'x-expanded-response'?: string;
  responses?: Record<string, { content?: Record<string, { schema?: JsonObject }> }>;
}

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonObject> };
}

/** Paths the simulator serves that OVH describes elsewhere (the auth API, the template catalogue). */
const OUTSIDE_THIS_FILE: readonly RegExp[] = [
  /^\/auth\/(time|credential|currentCredential)$/,
  /^\/dedicated\/installationTemplate(\/[^/]+)?$/,
];

/** OVH's authentication layer answers `{ errorCode, httpCode, message }` on any path. */
const AUTH_ERROR_SCHEMA: JsonObject = {
  type: 'object',
  required: ['errorCode', 'httpCode', 'message'],
  additionalProperties: false,
  properties: {
    errorCode: {
      enum: [
        'INVALID_SIGNATURE',
        'INVALID_CREDENTIAL',
        'NOT_AUTHENTICATED',
        'NOT_CREDENTIAL',
        'INVALID_KEY',
        'QUERY_TIME_OUT',
        'NOT_GRANTED_CALL',
      ],
    },
    httpCode: { type: 'string', pattern: '^[1-5][0-9]{2} [A-Za-z ]+$' },
    message: { type: 'string', minLength: 1 },
  },
};

/** OVH's "Common error model" for API errors, with both fields required. */
const API_ERROR_SCHEMA: JsonObject = {
  type: 'object',
  required: ['class', 'message'],
  additionalProperties: false,
  properties: {
    class: { type: 'string', pattern: '^(Client|Server)::' },
    message: { type: 'string', minLength: 1 },
  },
};

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Points `#/components/...` refs at the registered spec and tightens object schemas. */
function prepare(node: Json): Json {
  if (Array.isArray(node)) return node.map(prepare);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      out[key] = `${SPEC_ID}${value}`;
    } else {
      out[key] = prepare(value);
    }
  }
  if (out.type === 'object' && isObject(out.properties)) {
    out.required = Object.keys(out.properties);
    out.additionalProperties = false;
  }
  // Ajv reads `nullable` only beside `type`; OVH also puts it beside `allOf: [{ $ref }]`.
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

function templateToRegExp(template: string): RegExp {
  const pattern = template
    .split('/')
    .map((part) => (/^\{.+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}$`);
}

/**
 * OVH names an expanded response by its type's dotted name without dots, each part capitalised:
 * `DedicatedServerTask` is `dedicated.server.Task`.
 */
function expandedSchemaName(spec: Spec, expanded: string): string | undefined {
  const squash = (name: string) =>
    name
      .split('.')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('');
  return Object.keys(spec.components.schemas).find((name) => squash(name) === expanded);
}

/** An expanded page says how many objects match in `X-Pagination-Elements`; a list of ids does not. */
function isExpandedPage(headers: Readonly<Record<string, string>> | undefined): boolean {
  return Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'x-pagination-elements');
}

export interface OpenApiChecker {
  /** The problems with one answer, empty when it conforms. */
  check(exchange: ApiExchange): string[];
}

export function createOpenApiChecker(): OpenApiChecker {
  const spec = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Spec;
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object.
  addFormatsPlugin.default(ajv);
  // OVH-specific formats of fields the simulator never sends; accepted as plain strings.
  for (const format of [
    'ip-block',
    'ipv4-block',
    'ipv6-block',
    'mac-address',
    'password',
    'phone-number',
  ]) {
    ajv.addFormat(format, true);
  }
  ajv.addSchema({ $id: SPEC_ID, components: prepare(spec.components) });
  const apiError = ajv.compile(API_ERROR_SCHEMA);
  const authError = ajv.compile(AUTH_ERROR_SCHEMA);

  const routes = Object.entries(spec.paths).map(([template, operations]) => ({
    template,
    regexp: templateToRegExp(template),
    operations,
  }));
  // `/dedicated/server/{serviceName}` must not swallow `/dedicated/server/availabilities`.
  routes.sort((a, b) => a.template.split('{').length - b.template.split('{').length);
  const compiled = new Map<string, ValidateFunction>();

  function describe(validate: ValidateFunction): string {
    return ajv.errorsText(validate.errors, { separator: '; ', dataVar: 'body' });
  }

  return {
    check({ method, path, status, body, headers }) {
      const where = `${method} ${path} → ${status}`;
      const route = routes.find((r) => r.regexp.test(path));
      if (!route) {
        if (OUTSIDE_THIS_FILE.some((r) => r.test(path))) return [];
        if (status === 404 || status === 405) {
          return apiError(body) ? [] : [`${where}: ${describe(apiError)}`];
        }
        return [`${where}: no such path in OVH's OpenAPI file`];
      }
      const operation = route.operations[method.toLowerCase()];
      if (!operation) {
        if (status !== 405) return [`${where}: OVH's OpenAPI file has no ${method} on this path`];
        return apiError(body) ? [] : [`${where}: ${describe(apiError)}`];
      }
      if (status >= 400) {
        if (isObject(body as Json) && 'errorCode' in (body as JsonObject)) {
          return authError(body) ? [] : [`${where}: ${describe(authError)}`];
        }
        return apiError(body) ? [] : [`${where}: ${describe(apiError)}`];
      }
      const response = operation.responses?.[String(status)];
      if (!response) return [`${where}: OVH's OpenAPI file lists no ${status} answer`];
      let schema = response.content?.['application/json']?.schema;
      let key = `${route.template} ${method} ${status}`;
      if (isExpandedPage(headers)) {
        const expanded = operation['x-expanded-response'];
        const name = expanded === undefined ? undefined : expandedSchemaName(spec, expanded);
        if (name === undefined) return [`${where}: OVH answers no expanded pages here`];
        schema = { type: 'array', items: { $ref: `#/components/schemas/${name}` } };
        key += ' expanded';
      }
      if (!schema) return body === null ? [] : [`${where}: OVH answers no body here`];
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(prepare(schema) as JsonObject);
        compiled.set(key, validate);
      }
      return validate(body) ? [] : [`${where}: ${describe(validate)}`];
    },
  };
}
