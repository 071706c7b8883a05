import type { InstallProgressDto } from '@byoi/shared';
import { Button, Message, MessageBody, MessageIcon } from '@ovhcloud/ods-react';
import { RichText } from '../../ui/RichText.tsx';
import { dataLossSentence } from '../../ui/words.ts';

function Done({ progress }: { progress: InstallProgressDto }) {
  const submitted = progress.submitted;
  return (
    <Message color="success" dismissible={false} className="page-message outcome">
      <MessageIcon name="circle-check" />
      <MessageBody>
        <strong>Installation complete</strong>. {progress.serverName} boots{' '}
        {submitted ? 'your image' : 'the installed image'}
        {/* Only said when a Config Drive was given: without one, cloud-init has nothing to apply. */}
        {submitted?.configDrive ? '; cloud-init applies the Config Drive on first boot.' : '.'}
      </MessageBody>
    </Message>
  );
}

function Cancelled({
  progress,
  onRetry,
}: {
  progress: InstallProgressDto;
  onRetry: (() => void) | undefined;
}) {
  return (
    <Message color="warning" dismissible={false} className="page-message outcome">
      <MessageIcon name="triangle-exclamation" />
      <MessageBody>
        <strong>Installation cancelled</strong>. {dataLossSentence(progress.serverName)} Cancelling
        does not undo that: the disks may hold a partial image, so install again before using the
        server.{' '}
        {onRetry ? (
          <Button size="sm" variant="outline" onClick={onRetry}>
            Edit and retry
          </Button>
        ) : null}
      </MessageBody>
    </Message>
  );
}

/** A failed install in OVH's critical colour: OVH's own words first, then what they mean. */
function Failed({
  progress,
  onRetry,
}: {
  progress: InstallProgressDto;
  onRetry: (() => void) | undefined;
}) {
  const failure = progress.failure;
  return (
    <Message
      color="critical"
      dismissible={false}
      className="page-message outcome failure"
      role="alert"
      aria-labelledby="failure-title"
    >
      <MessageIcon name="hexagon-exclamation" />
      <MessageBody>
        <h2 id="failure-title" className="failure__title">
          Installation failed
        </h2>
        {failure ? (
          <dl>
            <dt>OVH&apos;s message</dt>
            <dd className="verbatim failure__ovh">{failure.message}</dd>
            <dt>What it means</dt>
            <dd>
              <strong>{failure.entry.title}.</strong> <RichText text={failure.entry.meaning} />
            </dd>
            <dt>How to fix it</dt>
            <dd>
              <RichText text={failure.entry.remedy} />
            </dd>
          </dl>
        ) : (
          <p>OVH reported a failure without a message. Check the steps below, then try again.</p>
        )}
        {onRetry ? (
          <div className="failure__retry">
            <Button onClick={onRetry}>Edit and retry</Button>
            <span className="field-hint">
              Your previous values come back, except HTTP header values: they are never kept, so
              type them again.
            </span>
          </div>
        ) : null}
      </MessageBody>
    </Message>
  );
}

/** How the install ended; nothing while it runs or before any install. */
export function InstallOutcome({
  progress,
  onRetry,
}: {
  progress: InstallProgressDto;
  /** Undefined for a viewer: only operators may install again. */
  onRetry: (() => void) | undefined;
}) {
  switch (progress.state) {
    case 'done':
      return <Done progress={progress} />;
    case 'cancelled':
      return <Cancelled progress={progress} onRetry={onRetry} />;
    case 'failed':
      return <Failed progress={progress} onRetry={onRetry} />;
    default:
      return null;
  }
}
