import { MAX_ROLLOUT_SERVERS } from '@byoi/shared';
import { Button, Icon } from '@ovhcloud/ods-react';
import { useNavigate } from 'react-router';
import type { ServerSelection } from './useServerSelection.ts';

const counted = new Intl.NumberFormat('en');

function selectionText(selection: ServerSelection, count: number): string {
  if (selection.kind === 'search') {
    return `All ${counted.format(count)} server${count === 1 ? '' : 's'} matching “${selection.search}” selected`;
  }
  return `${counted.format(count)} server${count === 1 ? '' : 's'} selected`;
}

/** Sticks to the bottom of the screen while servers are selected: the count and what to do next. */
export function SelectionBar({
  selection,
  count,
  onClear,
}: {
  selection: ServerSelection;
  count: number;
  onClear: () => void;
}) {
  const navigate = useNavigate();
  const tooMany = count > MAX_ROLLOUT_SERVERS;

  function reinstall() {
    if (selection.kind === 'search') {
      const query = new URLSearchParams({ search: selection.search });
      void navigate(`/rollouts/new?${query.toString()}`);
    } else {
      void navigate('/rollouts/new', { state: { servers: selection.names } });
    }
  }

  return (
    <div className="selection-bar" role="region" aria-label="Selected servers">
      <strong role="status">{selectionText(selection, count)}</strong>
      {tooMany ? (
        <span className="selection-bar__reason" id="selection-too-many">
          A rollout covers at most {counted.format(MAX_ROLLOUT_SERVERS)} servers: narrow the
          selection.
        </span>
      ) : null}
      <div className="selection-bar__actions">
        <Button variant="ghost" size="sm" onClick={onClear}>
          Clear selection
        </Button>
        <Button
          size="sm"
          disabled={tooMany}
          aria-describedby={tooMany ? 'selection-too-many' : undefined}
          onClick={reinstall}
        >
          <Icon name="refresh" aria-hidden="true" /> Reinstall selected
        </Button>
      </div>
    </div>
  );
}
