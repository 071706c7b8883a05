/** Something named in an admin call does not exist (admin HTTP answers 404 for it, 400 for other bad input). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
