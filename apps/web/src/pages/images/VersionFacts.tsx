import type { LibraryImageCheckDto, LibraryImageVersionDto } from '@byoi/shared';
import { Badge, Table } from '@ovhcloud/ods-react';
import { formatDateTime } from '../../ui/format.ts';
import { Sha256 } from '../../ui/Sha256.tsx';
import { VerdictBadge } from '../../ui/VerdictBadge.tsx';

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="install-facts__row">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function CheckWords({ check }: { check: LibraryImageCheckDto | null }) {
  return (
    <>
      <VerdictBadge check={check} />{' '}
      {check ? (
        <span>
          {formatDateTime(check.at)} on <span className="verbatim">{check.server}</span>
          {check.user ? ` by ${check.user}` : ''}
          {check.predictedMessage ? (
            <span className="cell-sub">
              OVH would answer: <span className="verbatim">{check.predictedMessage}</span>
            </span>
          ) : null}
        </span>
      ) : (
        <span className="muted">Check image runs it from the install form.</span>
      )}
    </>
  );
}

/** What one version installs; header names only, their values never reach the browser. */
export function VersionFacts({ version }: { version: LibraryImageVersionDto }) {
  return (
    <dl className="install-facts">
      <Fact term="Image URL">
        <span className="verbatim">{version.imageURL}</span>
      </Fact>
      <Fact term="Image type">{version.imageType}</Fact>
      <Fact term="Checksum">
        {version.imageCheckSum ? (
          <>
            {version.imageCheckSumType} <span className="verbatim">{version.imageCheckSum}</span>
          </>
        ) : (
          'None'
        )}
      </Fact>
      <Fact term="Checksum file">
        {version.checksumFileURL ? (
          <span className="verbatim">{version.checksumFileURL}</span>
        ) : (
          'None'
        )}
      </Fact>
      <Fact term="EFI bootloader">
        {version.efiBootloaderPath ? (
          <span className="verbatim">{version.efiBootloaderPath}</span>
        ) : (
          'Not set'
        )}
      </Fact>
      <Fact term="HTTP headers">
        {version.httpHeaders.length > 0 ? (
          <ul className="library-header-names" aria-label="HTTP header names">
            {version.httpHeaders.map((header) => (
              <li key={header.name}>
                <span className="verbatim">{header.name}</span>{' '}
                <Badge color="neutral">value stored</Badge>
              </li>
            ))}
          </ul>
        ) : (
          'None'
        )}
      </Fact>
      {version.notes ? <Fact term="Notes">{version.notes}</Fact> : null}
      <Fact term="Added">
        {formatDateTime(version.createdAt)}
        {version.createdBy ? ` by ${version.createdBy}` : ''}
      </Fact>
      <Fact term="Last check">
        <CheckWords check={version.lastCheck} />
      </Fact>
    </dl>
  );
}

/** Every version, newest first, with its last check. */
export function VersionsTable({
  versions,
  onInstall,
}: {
  versions: LibraryImageVersionDto[];
  /** Operators only: install this version. */
  onInstall?: ((version: number) => void) | undefined;
}) {
  return (
    <div className="table-wrap">
      <Table aria-label="Versions" className="stack-table">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Image</th>
            <th scope="col">Checksum</th>
            <th scope="col">Last check</th>
            <th scope="col">Added</th>
            {onInstall ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.version}>
              <td data-label="Version">v{version.version}</td>
              <td data-label="Image">
                <span className="verbatim">{version.imageURL}</span>
                <span className="cell-sub">
                  {version.imageType}
                  {version.httpHeaders.length > 0
                    ? ` · headers ${version.httpHeaders.map((h) => h.name).join(', ')}`
                    : ''}
                  {version.notes ? ` · ${version.notes}` : ''}
                </span>
              </td>
              <td data-label="Checksum">
                {version.imageCheckSum ? (
                  <>
                    {version.imageCheckSumType} <Sha256 digest={version.imageCheckSum} />
                  </>
                ) : (
                  'None'
                )}
              </td>
              <td data-label="Last check">
                <VerdictBadge check={version.lastCheck} />
                {version.lastCheck ? (
                  <span className="cell-sub">{formatDateTime(version.lastCheck.at)}</span>
                ) : null}
              </td>
              <td data-label="Added" className="nowrap">
                {formatDateTime(version.createdAt)}
                {version.createdBy ? <span className="cell-sub">{version.createdBy}</span> : null}
              </td>
              {onInstall ? (
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onInstall(version.version)}
                  >
                    Install v{version.version}
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
