import { Button, Icon } from '@ovhcloud/ods-react';
import { useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

/** Copies `text` to the clipboard and says, in a status line, whether the browser let it. */
export function CopyButton({
  text,
  label,
  what = 'text',
}: {
  text: string;
  /** The button's accessible name when "Copy" alone is ambiguous, e.g. `Copy OVH query ID`. */
  label?: string;
  /** What the refusal message asks to copy by hand. */
  what?: string;
}) {
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
      <Button
        type="button"
        size="sm"
        variant="outline"
        {...(label ? { 'aria-label': label } : {})}
        onClick={() => void copy()}
      >
        <Icon name="file-copy" /> Copy
      </Button>
      <span className="field-hint" role="status">
        {state === 'copied'
          ? 'Copied to the clipboard.'
          : state === 'failed'
            ? `The browser refused the clipboard: select the ${what} and copy it by hand.`
            : ''}
      </span>
    </>
  );
}
