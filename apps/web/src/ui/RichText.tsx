import type { ReactNode } from 'react';
import { formatDateTime, ISO_DATE_TIME } from './format.ts';

/** A run of plain text with its ISO date-times written in the operator's locale. */
function withLocalDates(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(ISO_DATE_TIME)) {
    const at = match.index;
    if (at > last) out.push(text.slice(last, at));
    out.push(
      <time key={`${key}-${at}`} dateTime={match[0]}>
        {formatDateTime(match[0])}
      </time>,
    );
    last = at + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * A sentence from the BFF or the catalog as a person should read it: `backtick` spans (commands,
 * paths) as code, and ISO timestamps (`… started 2026-11-26T01:00:00Z`) in the operator's locale.
 */
export function richText(text: string): ReactNode[] {
  // Split keeps the captured code spans at the odd indexes.
  return text.split(/`([^`\n]+)`/).flatMap((part, index) =>
    index % 2 === 1 ? (
      <code key={`code-${index}`} className="inline-code">
        {part}
      </code>
    ) : (
      withLocalDates(part, `text-${index}`)
    ),
  );
}

export function RichText({ text }: { text: string }) {
  return <>{richText(text)}</>;
}
