/**
 * A SHA-256 digest shortened on screen; the whole value in the tooltip and for screen readers.
 */
export function Sha256({ digest, length = 12 }: { digest: string; length?: number }) {
  return (
    <span className="verbatim" title={digest}>
      <span aria-hidden="true">
        {digest.length > length ? `${digest.slice(0, length)}…` : digest}
      </span>
      <span className="visually-hidden">{digest}</span>
    </span>
  );
}
