/**
 * A route's JSON body checked against its schema: 415 unless it is JSON, 400 with every field's
 * problem otherwise, so a route only ever sees a valid body and nothing is done for a bad one.
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { fieldErrorsOf } from '@byoi/shared';
import { ApiError } from './apiError.ts';

/**
 * `what` names the body ("install form"); `sentence` words the 400 from the field errors (it
 * should say that nothing was done, and name the first problem).
 */
export function parseJsonRequest<T extends z.ZodType>(
  req: Request,
  schema: T,
  what: string,
  sentence: (fieldErrors: Record<string, string[]>) => string,
): z.output<T> {
  if (!req.is('application/json')) {
    throw new ApiError(
      415,
      'BAD_JSON',
      `Send the ${what} as a JSON object with Content-Type: application/json.`,
    );
  }
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    throw new ApiError(400, 'VALIDATION_FAILED', sentence(fieldErrors), { fieldErrors });
  }
  return parsed.data;
}

/** A body that a route saves: the 400 says that nothing was saved, and the first problem. */
export function parseSavedBody<T extends z.ZodType>(
  req: Request,
  schema: T,
  what: string,
): z.output<T> {
  return parseJsonRequest(
    req,
    schema,
    what,
    (fieldErrors) =>
      `The ${what} has a problem, so nothing was saved. ${firstProblem(fieldErrors)}`,
  );
}

/** The first field's first message, as `field: message` (`_form` for the body as a whole). */
export function firstProblem(fieldErrors: Record<string, string[]>): string {
  const [field, messages] = Object.entries(fieldErrors)[0] ?? ['_form', []];
  return `${field}: ${messages[0] ?? ''}`;
}
