import { buildInstallPayload, maskPayloadSecrets } from '@byoi/shared';
import type { ByoiForm, ByoiFormInput, InstallRoute } from '@byoi/shared';
import { Button, Icon } from '@ovhcloud/ods-react';
import { useDeferredValue, useState } from 'react';
import type { z } from 'zod';

/** The node-ovh call an operator could run themselves: same path, same (masked) body. */
export function nodeOvhSnippet(path: string, body: unknown): string {
  return [
    "const ovh = require('@ovhcloud/node-ovh')({",
    "  endpoint: 'ovh-eu',",
    "  appKey: '<APPLICATION_KEY>',",
    "  appSecret: '<APPLICATION_SECRET>',",
    "  consumerKey: '<CONSUMER_KEY>',",
    '});',
    '',
    `await ovh.requestPromised('POST', '${path}', ${JSON.stringify(body, null, 2)});`,
  ].join('\n');
}

type CopyState = 'idle' | 'copied' | 'failed';

function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<CopyState>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <Button type="button" size="sm" variant="outline" onClick={() => void copy()}>
        <Icon name="file-copy" /> Copy
      </Button>
      <span className="field-hint" role="status">
        {state === 'copied'
          ? 'Copied to the clipboard.'
          : state === 'failed'
            ? 'The browser refused the clipboard: select the text and copy it by hand.'
            : ''}
      </span>
    </>
  );
}

/**
 * "Show API request": exactly what the BFF will send OVH for the configured route, header values
 * masked, and the same call as a node-ovh snippet.
 */
export function ApiRequestPreview({
  sn,
  route,
  schema,
  values,
}: {
  sn: string;
  route: InstallRoute;
  schema: z.ZodType<ByoiForm, ByoiFormInput>;
  values: ByoiFormInput;
}) {
  const [open, setOpen] = useState(false);
  const deferred = useDeferredValue(values);
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
      const path = `/dedicated/server/${sn}${payload.path}`;
      const json = JSON.stringify(payload.body, null, 2);
      const snippet = nodeOvhSnippet(path, payload.body);
      content = (
        <>
          <h3>
            POST <span className="verbatim">{path}</span>
          </h3>
          <pre aria-label="Request body">{json}</pre>
          <div className="copy-row">
            <h3 style={{ margin: 0 }}>node-ovh</h3>
            <span>
              <CopyButton text={snippet} />
            </span>
          </div>
          <pre aria-label="node-ovh snippet">{snippet}</pre>
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
        </p>
        {content}
      </details>
    </section>
  );
}
