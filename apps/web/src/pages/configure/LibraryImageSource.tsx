import type { LibraryImageDto } from '@byoi/shared';
import {
  Badge,
  Button,
  FormField,
  FormFieldLabel,
  Icon,
  Input,
  Message,
  MessageBody,
  MessageIcon,
  Modal,
  ModalBody,
  ModalContent,
  Skeleton,
} from '@ovhcloud/ods-react';
import { useId, useState } from 'react';
import { useImages } from '../../data/images/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { useDebouncedValue } from '../../ui/useDebouncedValue.ts';
import { VerdictBadge } from '../../ui/VerdictBadge.tsx';
import type { LibrarySource } from './prefill.ts';
import { originOf } from './prefill.ts';

const DETACH_LABEL = 'Detach from the library';
const STORED_VALUE = 'value stored in the library';

/** The library image the form installs, what it filled in, and the way to go on without it. */
export function LibraryBanner({
  library,
  onDetach,
}: {
  library: LibrarySource;
  onDetach: () => void;
}) {
  const headers = library.headerNames;
  return (
    <Message color="information" dismissible={false} className="page-message">
      <MessageIcon name="book" />
      <MessageBody>
        <strong>
          From the image library:{' '}
          <RouterLink to={`/images/${encodeURIComponent(library.ref.id)}`}>
            {library.name} v{library.ref.version}
          </RouterLink>
        </strong>
        {library.filled.length > 0 ? (
          <> Filled in: {library.filled.join(', ')}. Check them before you confirm.</>
        ) : null}
        {headers.length > 0 ? (
          <>
            {' '}
            Its HTTP header{headers.length === 1 ? '' : 's'} {headers.join(', ')} keep
            {headers.length === 1 ? 's its value' : ' their values'} in the library: the
            console&apos;s server adds {headers.length === 1 ? 'it' : 'them'} to the check and the
            install{library.origin ? `, for downloads from ${library.origin} only` : ''}.
          </>
        ) : null}
        <div className="message-action">
          <Button type="button" size="sm" variant="outline" onClick={onDetach}>
            {DETACH_LABEL}
          </Button>
          <span className="field-hint library-banner__hint">
            Keeps the fields as they are, without the library&apos;s stored header values.
          </span>
        </div>
      </MessageBody>
    </Message>
  );
}

/** The library's headers beside the form's own: names only, locked, their values never shown. */
export function LibraryHeaderRows({
  library,
  imageURL,
}: {
  library: LibrarySource;
  imageURL: string;
}) {
  if (library.headerNames.length === 0) return null;
  const elsewhere =
    library.origin !== null && imageURL.trim() !== '' && originOf(imageURL) !== library.origin;
  return (
    <div className="library-headers">
      <ul className="library-headers__list" aria-label="HTTP headers stored in the library">
        {library.headerNames.map((name) => (
          <li key={name} className="library-headers__row">
            <Icon name="lock-close" aria-hidden="true" />
            <span className="verbatim">{name}</span>
            <Badge color="neutral">{STORED_VALUE}</Badge>
          </li>
        ))}
      </ul>
      {elsewhere ? (
        <p className="field-error" role="alert">
          The image URL is no longer on {library.origin}: the console&apos;s server will not send
          the stored headers to another host. Put the address back, or detach the library image and
          type the headers below.
        </p>
      ) : (
        <p className="field-hint">
          Sent with the download from {library.origin ?? 'the library image’s host'}. To change a
          value, add a version to the image in the library.
        </p>
      )}
    </div>
  );
}

function PickerList({
  search,
  onPick,
}: {
  search: string;
  onPick: (image: LibraryImageDto) => void;
}) {
  const images = useImages(search);
  if (images.isError)
    return <ErrorMessage error={images.error} title="Could not read the library." />;
  if (images.isPending) return <Skeleton />;
  const list = images.data.images;
  if (list.length === 0) {
    return (
      <p>
        {search
          ? `No image in the library matches “${search}”.`
          : 'The library is empty. Operators add images on the Images page.'}
      </p>
    );
  }
  return (
    <ul className="library-picker__list" aria-label="Library images" aria-busy={images.isFetching}>
      {list.map((image) => (
        <li key={image.id} className="library-picker__item">
          <div className="library-picker__text">
            <strong>{image.name}</strong> <span className="muted">v{image.latest.version}</span>{' '}
            <VerdictBadge check={image.latest.lastCheck} />
            <span className="cell-sub verbatim">{image.latest.imageURL}</span>
            <span className="cell-sub">
              {image.latest.imageType}
              {image.latest.httpHeaders.length > 0
                ? ` · headers ${image.latest.httpHeaders.map((h) => h.name).join(', ')}`
                : ''}
              {` · updated ${formatDateTime(image.updatedAt)}`}
            </span>
          </div>
          <Button
            type="button"
            size="sm"
            variant="outline"
            aria-label={`Use ${image.name} v${image.latest.version}`}
            onClick={() => onPick(image)}
          >
            Use
          </Button>
        </li>
      ))}
    </ul>
  );
}

/** "From the library": a dialog to take an image's latest version into the form. */
export function LibraryPicker({ onPick }: { onPick: (image: LibraryImageDto) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const search = useDebouncedValue(text.trim(), 250);
  const titleId = useId();
  return (
    <>
      <Button type="button" size="sm" variant="outline" onClick={() => setOpen(true)}>
        <Icon name="book" /> From the library
      </Button>
      <Modal open={open} onOpenChange={({ open: isOpen }) => setOpen(isOpen)} closeOnEscape>
        <ModalContent aria-labelledby={titleId} className="confirm-dialog library-picker">
          <ModalBody className="confirm-dialog__body">
            <h2 className="confirm-dialog__title" id={titleId}>
              Choose an image from the library
            </h2>
            <p className="field-hint">
              Fills in the image fields with the image&apos;s latest version; its stored header
              values stay in the library and are added by the console&apos;s server.
            </p>
            <FormField className="field">
              <FormFieldLabel>Search images</FormFieldLabel>
              <Input
                type="search"
                value={text}
                onChange={(event) => setText(event.target.value)}
                autoComplete="off"
              />
            </FormField>
            {open ? (
              <PickerList
                search={search}
                onPick={(image) => {
                  setOpen(false);
                  onPick(image);
                }}
              />
            ) : null}
            <div className="confirm-dialog__actions">
              <Button type="button" variant="ghost" onClick={() => setOpen(false)}>
                Cancel
              </Button>
            </div>
          </ModalBody>
        </ModalContent>
      </Modal>
    </>
  );
}
