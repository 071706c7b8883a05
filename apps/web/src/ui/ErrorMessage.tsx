import { Message, MessageBody, MessageIcon } from '@ovhcloud/ods-react';
import type { ReactNode } from 'react';
import { ApiError } from '../data/client.ts';
import { CopyButton } from './CopyButton.tsx';
import { RichText } from './RichText.tsx';

/** A page-level failure, said in words: the BFF's own message, or what went wrong locally. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const missing = error.details?.missingRule;
    return missing
      ? `${error.message} (the OVH key lacks the access rule ${missing})`
      : error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Try again.';
}

/** OVH's own references for a failure that came from OVH: what OVH support needs to find it. */
function OvhReferences({ ovhClass, queryId }: { ovhClass?: string; queryId?: string }) {
  return (
    <dl className="ovh-references">
      {ovhClass ? (
        <>
          <dt>OVH error class</dt>
          <dd>{ovhClass}</dd>
        </>
      ) : null}
      {queryId ? (
        <>
          <dt>OVH query ID</dt>
          <dd>
            <code className="mono">{queryId}</code>{' '}
            <CopyButton text={queryId} label="Copy OVH query ID" what="ID" />
            <span className="field-hint"> Quote it to OVHcloud support.</span>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

export function ErrorMessage({
  error,
  title,
  children,
}: {
  error: unknown;
  title?: string;
  children?: ReactNode;
}) {
  const details = error instanceof ApiError ? error.details : undefined;
  const ovhClass = details?.ovhClass;
  const queryId = details?.ovhQueryId;
  return (
    <Message color="critical" dismissible={false} className="page-message" role="alert">
      <MessageIcon name="hexagon-exclamation" />
      <MessageBody>
        {title ? <strong>{title} </strong> : null}
        <RichText text={describeError(error)} />
        {ovhClass || queryId ? (
          <OvhReferences {...(ovhClass ? { ovhClass } : {})} {...(queryId ? { queryId } : {})} />
        ) : null}
        {children}
      </MessageBody>
    </Message>
  );
}
