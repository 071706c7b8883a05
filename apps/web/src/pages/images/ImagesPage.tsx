import {
  FormField,
  FormFieldLabel,
  Icon,
  Input,
  Message,
  MessageBody,
  MessageIcon,
  Table,
} from '@ovhcloud/ods-react';
import { useEffect, useEffectEvent, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { useImages } from '../../data/images/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { SkeletonRows } from '../../ui/SkeletonRows.tsx';
import { VerdictBadge } from '../../ui/VerdictBadge.tsx';
import './images.css';

const MAX_SEARCH_LENGTH = 100;
const SEARCH_DEBOUNCE_MS = 300;
const COLUMN_COUNT = 5;

/** Router state of a screen that just archived an image: the list says so once. */
function archivedName(state: unknown): string | null {
  if (typeof state !== 'object' || state === null || !('archived' in state)) return null;
  return typeof state.archived === 'string' ? state.archived : null;
}

export default function ImagesPage() {
  const canOperate = useCanOperate();
  const [params, setParams] = useSearchParams();
  const search = (params.get('search') ?? '').slice(0, MAX_SEARCH_LENGTH).trim();
  const [text, setText] = useState(search);
  const images = useImages(search);
  const archived = archivedName(useLocation().state);

  const commit = useEffectEvent((next: string) => {
    if (next === search) return;
    setParams(next === '' ? {} : { search: next }, { replace: true });
  });
  useEffect(() => {
    const timer = setTimeout(() => commit(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    document.title = 'Images · BYOI Console';
  }, []);

  const list = images.data?.images ?? [];

  return (
    <>
      <PageBreadcrumb
        items={[{ label: 'Dedicated servers', to: '/servers' }, { label: 'Images' }]}
      />
      <h1 className="page-title">Image library</h1>
      <p className="page-lead">
        Named images and their versions, ready to install on any server: the address, the type, the
        checksum, the EFI bootloader and the HTTP headers, whose values stay on the console&apos;s
        server. {canOperate ? '' : 'Operators add and change them; you can read them.'}
      </p>
      {archived ? (
        <Message color="success" dismissible={false} className="page-message">
          <MessageIcon name="circle-check" />
          <MessageBody>
            {archived} is archived: it is no longer offered for installs. Its installs stay in the
            servers&apos; history.
          </MessageBody>
        </Message>
      ) : null}
      <div className="toolbar">
        <FormField className="toolbar__search">
          <FormFieldLabel>Search images</FormFieldLabel>
          <Input
            type="search"
            value={text}
            maxLength={MAX_SEARCH_LENGTH}
            onChange={(event) => setText(event.target.value)}
            autoComplete="off"
          />
        </FormField>
        {canOperate ? (
          <RouterLink to="/images/new" className="start-link">
            <Icon name="plus" /> Add an image
          </RouterLink>
        ) : null}
      </div>
      {images.isError ? (
        <ErrorMessage error={images.error} title="Could not read the image library." />
      ) : null}
      {images.data && list.length === 0 ? (
        <p className="empty-state">
          {search
            ? `No image matches “${search}”. Search another part of the name, or clear the search.`
            : canOperate
              ? 'The library is empty. Add an image: its versions, their last check and the servers it is installed on appear here.'
              : 'The library is empty: operators add the images, then they appear here.'}
        </p>
      ) : (
        <div className="table-wrap">
          <Table
            aria-label="Images"
            aria-busy={images.isFetching}
            className="stack-table library-table"
          >
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest version</th>
                <th scope="col">Last check</th>
                <th scope="col">Versions</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {images.isPending ? <SkeletonRows rows={3} columns={COLUMN_COUNT} /> : null}
              {list.map((image) => (
                <tr key={image.id}>
                  <td data-label="Name" className="cell-name">
                    <RouterLink to={`/images/${encodeURIComponent(image.id)}`}>
                      {image.name}
                    </RouterLink>
                    {image.notes ? (
                      <span className="cell-sub library-notes">{image.notes}</span>
                    ) : null}
                  </td>
                  <td data-label="Latest version">
                    <span className="verbatim">{image.latest.imageURL}</span>
                    <span className="cell-sub">
                      v{image.latest.version} · {image.latest.imageType}
                      {image.latest.httpHeaders.length > 0
                        ? ` · headers ${image.latest.httpHeaders.map((h) => h.name).join(', ')}`
                        : ''}
                    </span>
                  </td>
                  <td data-label="Last check">
                    <VerdictBadge check={image.latest.lastCheck} />
                    {image.latest.lastCheck ? (
                      <span className="cell-sub">
                        {formatDateTime(image.latest.lastCheck.at)} on{' '}
                        {image.latest.lastCheck.server}
                      </span>
                    ) : null}
                  </td>
                  <td data-label="Versions">{image.versionCount}</td>
                  <td data-label="Updated" className="nowrap">
                    <time dateTime={image.updatedAt}>{formatDateTime(image.updatedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
    </>
  );
}
