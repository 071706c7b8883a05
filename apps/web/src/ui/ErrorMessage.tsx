import { Message, MessageBody, MessageIcon } from '@ovhcloud/ods-react';
import type { ReactNode } from 'react';
import { ApiError } from '../data/client.ts';

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

export function ErrorMessage({
  error,
  title,
  children,
}: {
  error: unknown;
  title?: string;
  children?: ReactNode;
}) {
  return (
    <Message color="critical" dismissible={false} className="page-message" role="alert">
      <MessageIcon name="hexagon-exclamation" />
      <MessageBody>
        {title ? <strong>{title} </strong> : null}
        {describeError(error)}
        {children}
      </MessageBody>
    </Message>
  );
}
