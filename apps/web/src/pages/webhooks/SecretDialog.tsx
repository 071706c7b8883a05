import { Button, Modal, ModalBody, ModalContent } from '@ovhcloud/ods-react';
import { useId } from 'react';
import { CopyButton } from '../../ui/CopyButton.tsx';

const VERIFY_SNIPPET = `// Node.js: check a delivery before trusting it
import { createHmac, timingSafeEqual } from 'node:crypto';

const timestamp = request.headers['x-byoi-timestamp'];
const expected = 'v1=' + createHmac('sha256', secret)
  .update(\`\${timestamp}.\${rawBody}\`)
  .digest('hex');
const given = request.headers['x-byoi-signature'] ?? '';
const valid = given.length === expected.length &&
  timingSafeEqual(Buffer.from(given), Buffer.from(expected));`;

/** The signing secret, this once: the console keeps no way to show it again. */
export function SecretDialog({
  url,
  secret,
  onClose,
}: {
  url: string;
  secret: string | null;
  onClose: () => void;
}) {
  const titleId = useId();
  return (
    <Modal
      open={secret !== null}
      onOpenChange={({ open }) => (open ? undefined : onClose())}
      closeOnEscape
    >
      <ModalContent
        aria-labelledby={titleId}
        className="confirm-dialog secret-dialog"
        dismissible={false}
      >
        <ModalBody className="confirm-dialog__body">
          <h2 className="confirm-dialog__title" id={titleId}>
            The webhook’s signing secret
          </h2>
          <p>
            <strong>Copy it now: it will not be shown again.</strong> {url} needs it to check that a
            call comes from this console. If it is lost, delete the webhook and add it again.
          </p>
          <p className="secret-dialog__secret">
            <code className="verbatim" aria-label="Signing secret">
              {secret}
            </code>{' '}
            {secret ? (
              <CopyButton text={secret} label="Copy the signing secret" what="secret" />
            ) : null}
          </p>
          <h3 className="rollout-subtitle">How to verify a call</h3>
          <p>
            Each call carries <code className="inline-code">X-BYOI-Timestamp</code> and{' '}
            <code className="inline-code">X-BYOI-Signature: v1=&lt;hex&gt;</code>, the HMAC-SHA256,
            keyed with the secret, of{' '}
            <code className="inline-code">{'${X-BYOI-Timestamp}.${body}'}</code> (the raw body, as
            received). Compute it and compare in constant time; refuse old timestamps.
          </p>
          <pre className="secret-dialog__snippet">{VERIFY_SNIPPET}</pre>
          <div className="confirm-dialog__actions">
            <Button onClick={onClose}>I have copied the secret</Button>
          </div>
        </ModalBody>
      </ModalContent>
    </Modal>
  );
}
