/**
 * A form filled from the image library (`libraryImage: { id, version }`) gets that version's stored
 * header values on the server, for the image's own origin only (store/imageLibrary.ts). The
 * library is made available per request, so a route outside the library's router (the install)
 * reaches it with one call.
 */
import type { Request, RequestHandler } from 'express';
import { ApiError } from '../apiError.ts';
import type { ImageLibrary, LibraryForm } from '../store/imageLibrary.ts';

const libraries = new WeakMap<Request, ImageLibrary>();

/** Mount before the routes that take a `libraryImage` reference. */
export function provideImageLibrary(library: ImageLibrary): RequestHandler {
  return (req, _res, next) => {
    libraries.set(req, library);
    next();
  };
}

/** The form with its library version's stored headers added; unchanged without a reference. */
export async function withLibraryImage<F extends LibraryForm>(req: Request, form: F): Promise<F> {
  if (form.libraryImage === undefined) return form;
  const library = libraries.get(req);
  if (!library) {
    throw new ApiError(
      503,
      'INTERNAL',
      'The image library is not available on this console, so the stored header values cannot be used. Enter the header values yourself.',
    );
  }
  return library.withStoredHeaders(form);
}
