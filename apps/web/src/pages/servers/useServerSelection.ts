import { useState } from 'react';

/**
 * What "Reinstall selected" carries: the names ticked (kept across pages and sorts), or a search
 * as a whole ("Select all N matching"), which the BFF resolves against the fleet itself.
 */
export type ServerSelection =
  { kind: 'names'; names: string[] } | { kind: 'search'; search: string; total: number };

export function useServerSelection({
  search,
  total,
  pageNames,
}: {
  /** The search the list shows. */
  search: string;
  /** Servers matching it across the fleet. */
  total: number;
  /** The rows on screen. */
  pageNames: readonly string[];
}) {
  const [names, setNames] = useState<ReadonlySet<string>>(() => new Set());
  // The search selected as a whole; another search on screen is another set of servers.
  const [matching, setMatching] = useState<string | null>(null);
  if (matching !== null && matching !== search) setMatching(null);
  const allMatching = matching !== null && matching === search;

  const isSelected = (name: string) => allMatching || names.has(name);
  const onPage = pageNames.filter(isSelected).length;
  const page: 'all' | 'some' | 'none' =
    pageNames.length > 0 && onPage === pageNames.length ? 'all' : onPage > 0 ? 'some' : 'none';

  function toggle(name: string) {
    if (allMatching) {
      // Leaving one out of a whole search: what stays selected is what the operator can see.
      setMatching(null);
      setNames(new Set(pageNames.filter((other) => other !== name)));
      return;
    }
    setNames((current) => {
      const next = new Set(current);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  }

  function togglePage() {
    if (allMatching) {
      clear();
      return;
    }
    setNames((current) => {
      const next = new Set(current);
      for (const name of pageNames) {
        if (page === 'all') next.delete(name);
        else next.add(name);
      }
      return next;
    });
  }

  function selectMatching() {
    setNames(new Set());
    setMatching(search);
  }

  function clear() {
    setNames(new Set());
    setMatching(null);
  }

  const selection: ServerSelection | null = allMatching
    ? { kind: 'search', search, total }
    : names.size > 0
      ? { kind: 'names', names: [...names] }
      : null;
  const count = selection === null ? 0 : selection.kind === 'search' ? total : names.size;

  return {
    selection,
    count,
    page,
    allMatching,
    isSelected,
    toggle,
    togglePage,
    selectMatching,
    clear,
  };
}
