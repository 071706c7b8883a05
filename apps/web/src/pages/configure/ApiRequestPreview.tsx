import { buildApiSnippets, buildInstallPayload, maskPayloadSecrets } from '@byoi/shared';
import type { ByoiForm, ByoiFormInput, InstallRoute, Snippet, SnippetKind } from '@byoi/shared';
import {
  Message,
  MessageBody,
  MessageIcon,
  Tab,
  TabContent,
  TabList,
  Tabs,
} from '@ovhcloud/ods-react';
import { useDeferredValue, useState } from 'react';
import type { z } from 'zod';
import { useMeta } from '../../data/meta/hooks.ts';
import { CopyButton } from '../../ui/CopyButton.tsx';

function SnippetPanel({ snippet }: { snippet: Snippet }) {
  return (
    <TabContent value={snippet.kind} className="api-request__snippet">
      <div className="copy-row">
        <h4>{snippet.label}</h4>
        <span>
          <CopyButton text={snippet.text} />
        </span>
      </div>
      {snippet.warnings.map((warning) => (
        <Message key={warning} color="warning" dismissible={false} className="page-message">
          <MessageIcon name="triangle-exclamation" />
          <MessageBody>{warning}</MessageBody>
        </Message>
      ))}
      {snippet.notes.map((note) => (
        <p key={note} className="field-hint">
          {note}
        </p>
      ))}
      <pre aria-label={`${snippet.label} snippet`}>{snippet.text}</pre>
    </TabContent>
  );
}

/**
 * "Show API request": exactly what the BFF will send OVH for the configured route, header values
 * masked, and the same call as the HTTP request, node-ovh, python-ovh, the ovhcloud CLI and
 * Terraform, each ready to copy.
 */
export function ApiRequestPreview({
  sn,
  route,
  schema,
  values,
  libraryHeaderNames = [],
}: {
  sn: string;
  route: InstallRoute;
  schema: z.ZodType<ByoiForm, ByoiFormInput>;
  values: ByoiFormInput;
  /** Headers the console's server adds from the image library: not in the form, not shown. */
  libraryHeaderNames?: string[];
}) {
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState<SnippetKind>('http');
  const deferred = useDeferredValue(values);
  // Already loaded by the page (it decides the route); `undefined` reads as the simulator.
  const endpoint = useMeta().data?.endpoint;
  let content;
  if (open) {
    const parsed = schema.safeParse(deferred);
    if (!parsed.success) {
      content = (
        <p className="field-hint">
          The request appears once the form is valid: fix the fields marked in red (or fill in Image
          URL and Image type).
        </p>
      );
    } else {
      const payload = maskPayloadSecrets(buildInstallPayload(route, parsed.data));
      const api = buildApiSnippets(payload, { serverName: sn, endpoint });
      content = (
        <>
          <h3>
            POST <span className="verbatim">{api.path}</span>
          </h3>
          <pre aria-label="Request body">{JSON.stringify(payload.body, null, 2)}</pre>
          <h3>The same request, ready to copy</h3>
          {api.notes.map((note) => (
            <p key={note} className="field-hint">
              {note}
            </p>
          ))}
          {api.unavailable.length > 0 ? (
            <p className="field-hint">
              {api.unavailable.map((u) => u.label).join(' and ')} only know the reinstall route:
              they have no equivalent of this request.
            </p>
          ) : null}
          <Tabs
            className="api-request__tabs"
            value={tab}
            onValueChange={(event) => setTab(event.value as SnippetKind)}
          >
            <TabList>
              {api.snippets.map((snippet) => (
                <Tab key={snippet.kind} value={snippet.kind}>
                  {snippet.label}
                </Tab>
              ))}
            </TabList>
            {api.snippets.map((snippet) => (
              <SnippetPanel key={snippet.kind} snippet={snippet} />
            ))}
          </Tabs>
        </>
      );
    }
  }
  return (
    <section className="form-section api-request" aria-label="API request">
      <details onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>Show API request</summary>
        <p className="field-hint">
          What the console will send to the OVH API (
          {route === 'reinstall' ? 'reinstall' : 'install/start'} route). HTTP header values are
          masked here.
          {libraryHeaderNames.length > 0
            ? ` The console's server also adds the headers stored in the image library (${libraryHeaderNames.join(', ')}), which this preview does not show.`
            : ''}
        </p>
        {content}
      </details>
    </section>
  );
}
