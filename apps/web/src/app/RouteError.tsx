import { Message, MessageBody, MessageIcon } from '@ovhcloud/ods-react';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** Last resort for a render error: says so and offers a way back instead of a blank page. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <main id="main" className="app-main">
      <h1 className="page-title">Something went wrong</h1>
      <Message color="critical" dismissible={false}>
        <MessageIcon name="hexagon-exclamation" />
        <MessageBody>
          This screen failed to load ({detail}). Reload the page; if it keeps failing, go back to{' '}
          <Link to="/servers">Dedicated servers</Link>.
        </MessageBody>
      </Message>
    </main>
  );
}
