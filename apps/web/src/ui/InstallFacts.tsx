import type { InstallTaskDto, SubmittedInstallDto } from '@byoi/shared';
import { formatDateTime } from './format.ts';

const ROUTE_PATH: Record<SubmittedInstallDto['route'], string> = {
  reinstall: '/reinstall',
  'install-start': '/install/start',
};

/** What went into the Config Drive, in words ("User data, 2 metadata keys and the hostname"). */
export function configDriveWords(submitted: SubmittedInstallDto): string {
  const drive = submitted.configDrive;
  if (drive === null) return 'None: no Config Drive was built';
  const keys = drive.metadataKeys;
  const parts = [
    drive.userData ? 'user data' : null,
    keys > 0 ? `${keys} metadata key${keys === 1 ? '' : 's'}` : null,
    drive.sshKey ? 'an SSH key' : null,
    submitted.customHostname ? 'the hostname' : null,
  ].filter((part): part is string => part !== null);
  const last = parts.pop();
  if (last === undefined) return 'Built by OVH';
  const text = parts.length > 0 ? `${parts.join(', ')} and ${last}` : last;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="install-facts__row">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * What an install this console submitted was given, and when it ran: the image (query values
 * hidden by the BFF), its type and checksum, hostname, EFI path, Config Drive, the OVH route and
 * the task's dates in the operator's locale. Shared by the progress and server pages.
 */
export function InstallFacts({
  sn,
  submitted,
  task,
  compact = false,
}: {
  sn: string;
  submitted: SubmittedInstallDto;
  task: InstallTaskDto | null;
  /** The image facts only (the server page's tile says when it ran). */
  compact?: boolean;
}) {
  const hidden = submitted.imageURL.includes('?');
  return (
    <dl className="install-facts">
      <Fact term="Image">
        <span className="verbatim">{submitted.imageURL}</span>
        {hidden ? (
          <span className="field-hint install-facts__hint">
            Query values hidden: a signed link is never shown.
          </span>
        ) : null}
      </Fact>
      <Fact term="Image type">{submitted.imageType}</Fact>
      <Fact term="Checksum">
        {submitted.imageCheckSum ? (
          <>
            {submitted.imageCheckSumType}{' '}
            <span className="verbatim">{submitted.imageCheckSum}</span>
          </>
        ) : (
          'None given: OVH did not check the download'
        )}
      </Fact>
      <Fact term="Hostname">{submitted.customHostname ?? 'Not set'}</Fact>
      <Fact term="Config Drive">{configDriveWords(submitted)}</Fact>
      {compact ? null : (
        <>
          <Fact term="EFI bootloader">
            {submitted.efiBootloaderPath ? (
              <span className="verbatim">{submitted.efiBootloaderPath}</span>
            ) : (
              'Not set'
            )}
          </Fact>
          <Fact term="Sent as">
            <span className="verbatim">
              POST /dedicated/server/{sn}
              {ROUTE_PATH[submitted.route]}
            </span>
            {task ? ` · task ${task.taskId}` : null}
          </Fact>
          <Fact term="Started">{formatDateTime(task?.startDate ?? submitted.submittedAt)}</Fact>
          {task?.doneDate ? <Fact term="Finished">{formatDateTime(task.doneDate)}</Fact> : null}
        </>
      )}
    </dl>
  );
}
