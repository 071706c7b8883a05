import type { LibraryImageDto, LibraryImageVersionDto } from '@byoi/shared';
import {
  Button,
  FormField,
  FormFieldLabel,
  Input,
  Modal,
  ModalBody,
  ModalContent,
  Skeleton,
} from '@ovhcloud/ods-react';
import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useServers } from '../../data/servers/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { NativeSelect } from '../../ui/NativeSelect.tsx';
import { useDebouncedValue } from '../../ui/useDebouncedValue.ts';

const SERVER_CHOICES = 10;

/** The servers matching the search, as radio buttons; the wizard opens on the one picked. */
function ServerChoices({
  search,
  value,
  onChange,
}: {
  search: string;
  value: string;
  onChange: (name: string) => void;
}) {
  const servers = useServers({
    page: 1,
    pageSize: SERVER_CHOICES,
    search,
    sort: 'name',
    order: 'asc',
  });
  if (servers.isError) {
    return <ErrorMessage error={servers.error} title="Could not list servers." />;
  }
  if (servers.isPending) return <Skeleton />;
  const { items, total } = servers.data;
  if (items.length === 0) {
    return <p>{search ? `No server matches “${search}”.` : 'No server to install on.'}</p>;
  }
  return (
    <fieldset className="wizard__choices server-choices">
      <legend className="wizard__step">
        Server
        {total > items.length ? ` (the first ${items.length} of ${total}: search to narrow)` : ''}
      </legend>
      {items.map((server) => {
        const id = `install-on-${server.name}`;
        return (
          <div className="choice" key={server.name}>
            <input
              id={id}
              type="radio"
              name="install-on"
              value={server.name}
              checked={value === server.name}
              disabled={server.installing}
              onChange={() => onChange(server.name)}
              aria-describedby={`${id}-hint`}
            />
            <div>
              <label htmlFor={id} className="choice__label">
                {server.name}
              </label>
              <span className="choice__hint" id={`${id}-hint`}>
                {server.displayName !== server.name ? `${server.displayName} · ` : ''}
                {server.datacenter} · {server.os}
                {server.installing ? ' · an installation is running' : ''}
              </span>
            </div>
          </div>
        );
      })}
    </fieldset>
  );
}

/**
 * "Install this image": pick a server (and a version), then the install wizard opens on it with
 * the version filled in (`?image=<id>&version=<n>`), through its own steps.
 */
export function InstallImageDialog({
  image,
  versions,
  open,
  initialVersion,
  onClose,
}: {
  image: LibraryImageDto;
  versions: LibraryImageVersionDto[];
  open: boolean;
  initialVersion: number;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const titleId = useId();
  const [text, setText] = useState('');
  const search = useDebouncedValue(text.trim(), 250);
  const [server, setServer] = useState('');
  const [version, setVersion] = useState(initialVersion);

  function next() {
    const query = new URLSearchParams({ image: image.id, version: String(version) });
    void navigate(`/servers/${encodeURIComponent(server)}/install/source?${query.toString()}`);
  }

  return (
    <Modal
      open={open}
      onOpenChange={({ open: isOpen }) => (isOpen ? undefined : onClose())}
      closeOnEscape
    >
      <ModalContent aria-labelledby={titleId} className="wizard">
        <ModalBody className="wizard__body">
          <div className="wizard__head">
            <h2 className="wizard__title" id={titleId}>
              Install {image.name}
            </h2>
            <p className="wizard__step">
              Choose the server; the install wizard then opens on it with this image filled in.
            </p>
          </div>
          <div className="wizard__scroll install-image">
            <div className="field-row">
              <FormField className="field">
                <FormFieldLabel>Search servers</FormFieldLabel>
                <Input
                  type="search"
                  value={text}
                  onChange={(event) => setText(event.target.value)}
                  autoComplete="off"
                />
              </FormField>
              <Field id="install-image-version" label="Version">
                <NativeSelect
                  value={String(version)}
                  onChange={(event) => setVersion(Number(event.target.value))}
                >
                  {versions.map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version}
                      {v.version === image.latest.version ? ' (latest)' : ''}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
            </div>
            {open ? <ServerChoices search={search} value={server} onChange={setServer} /> : null}
          </div>
          <div className="wizard__footer">
            <Button variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button disabled={server === ''} onClick={next}>
              Next
            </Button>
          </div>
        </ModalBody>
      </ModalContent>
    </Modal>
  );
}
