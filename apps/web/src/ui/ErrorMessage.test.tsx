import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../data/client.ts';
import { mockApi } from '../test/api.ts';
import { renderApp } from '../test/render.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { formatDateTime } from './format.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const QUERY_ID = 'EU.ext-5.66a1f2c3.12345.8f3e0c1d2b3a4958';
const CLASS = 'Client::BadRequest::CustomizationInvalidFormat';
const MESSAGE = 'Invalid customization format for imageURL of type string: missing';

const fromOvh = (details: { ovhClass?: string; ovhQueryId?: string }) =>
  new ApiError(400, 'UPSTREAM_BAD_REQUEST', MESSAGE, { ovhMessage: MESSAGE, ...details });

/** The definition next to a term of the OVH references list. */
function definitionOf(term: string): HTMLElement {
  const found = screen.getAllByRole('term').find((t) => t.textContent === term);
  if (!found?.nextElementSibling) throw new Error(`no term "${term}"`);
  return found.nextElementSibling as HTMLElement;
}

describe('ErrorMessage for a failure that came from OVH', () => {
  it("shows OVH's error class and query ID under the message, the ID in monospace", () => {
    render(<ErrorMessage error={fromOvh({ ovhClass: CLASS, ovhQueryId: QUERY_ID })} />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(MESSAGE);
    expect(
      within(alert)
        .getAllByRole('term')
        .map((t) => t.textContent),
    ).toEqual(['OVH error class', 'OVH query ID']);
    expect(definitionOf('OVH error class')).toHaveTextContent(CLASS);
    const id = within(definitionOf('OVH query ID')).getByText(QUERY_ID);
    expect(id.tagName).toBe('CODE');
    expect(id).toHaveClass('mono');
    expect(definitionOf('OVH query ID')).toHaveTextContent('Quote it to OVHcloud support');
  });

  it('copies the query ID, and says so', async () => {
    const user = userEvent.setup();
    render(<ErrorMessage error={fromOvh({ ovhClass: CLASS, ovhQueryId: QUERY_ID })} />);
    await user.click(screen.getByRole('button', { name: 'Copy OVH query ID' }));
    expect(await navigator.clipboard.readText()).toBe(QUERY_ID);
    expect(screen.getByRole('status')).toHaveTextContent('Copied to the clipboard.');
  });

  it('says how to copy by hand when the browser refuses the clipboard', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new Error('denied'));
    render(<ErrorMessage error={fromOvh({ ovhQueryId: QUERY_ID })} />);
    await user.click(screen.getByRole('button', { name: 'Copy OVH query ID' }));
    expect(screen.getByRole('status')).toHaveTextContent('copy it by hand');
  });

  it('shows the query ID alone when OVH gave no class (e.g. a timeout after its headers)', () => {
    render(
      <ErrorMessage
        error={
          new ApiError(504, 'UPSTREAM_TIMEOUT', 'OVH API unreachable.', {
            ovhQueryId: QUERY_ID,
          })
        }
      />,
    );
    expect(screen.getAllByRole('term').map((t) => t.textContent)).toEqual(['OVH query ID']);
    expect(screen.getByText(QUERY_ID)).toBeInTheDocument();
  });

  it('shows no OVH references for a failure that did not come from OVH', () => {
    render(
      <>
        <ErrorMessage error={new ApiError(404, 'NOT_FOUND', 'There is no server named "x".')} />
        <ErrorMessage error={new Error('offline')} />
      </>,
    );
    expect(screen.getAllByRole('alert')).toHaveLength(2);
    expect(screen.queryByRole('term')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /copy/i })).not.toBeInTheDocument();
  });

  it("reads both from the BFF's error answer on a real page", async () => {
    mockApi({
      'GET /api/servers': () => ({
        status: 502,
        body: {
          error: {
            code: 'UPSTREAM_UNAVAILABLE',
            message: 'OVH API unreachable: it answered HTTP 500 ("Internal server error").',
            details: {
              ovhMessage: 'Internal server error',
              ovhClass: 'Server::InternalServerError',
              ovhQueryId: QUERY_ID,
            },
          },
        },
      }),
    });
    renderApp('/servers');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not list servers.');
    expect(alert).toHaveTextContent('Server::InternalServerError');
    expect(within(alert).getByText(QUERY_ID).tagName).toBe('CODE');
  });
});

describe('ErrorMessage words', () => {
  it('renders `backtick` spans as code, without the backticks', () => {
    render(
      <ErrorMessage
        error={
          new ApiError(400, 'UPSTREAM_BAD_REQUEST', 'Check it with `qemu-img info image` first.')
        }
      />,
    );
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('qemu-img info image').tagName).toBe('CODE');
    expect(alert).toHaveTextContent('Check it with qemu-img info image first.');
    expect(alert.textContent).not.toContain('`');
  });

  it("writes a refusal's timestamp in the operator's locale, not as ISO text", () => {
    const started = '2026-11-26T01:00:00.000Z';
    render(
      <ErrorMessage
        error={
          new ApiError(
            409,
            'INSTALL_IN_PROGRESS',
            `An installation is already running on ns1 (started ${started}). Wait for it to finish or cancel it.`,
          )
        }
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(`(started ${formatDateTime(started)})`);
    expect(alert).not.toHaveTextContent(started);
    expect(alert.querySelector('time')).toHaveAttribute('dateTime', started);
  });
});
