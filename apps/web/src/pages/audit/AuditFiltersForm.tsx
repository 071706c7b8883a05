/**
 * The audit log's filters: typed in, then applied together (a new first page). Times are typed in
 * the operator's own clock and sent as instants.
 */
import { AUDIT_EVENTS, AUDIT_OUTCOMES, type AuditEvent, type AuditOutcome } from '@byoi/shared';
import { Button, FormField, FormFieldLabel, Icon, Input } from '@ovhcloud/ods-react';
import { useState, type FormEvent } from 'react';
import { NativeSelect } from '../../ui/NativeSelect.tsx';
import { fromLocalInput, NO_FILTERS, toLocalInput, type AuditFilters } from './auditView.ts';

export function AuditFiltersForm({
  filters,
  onApply,
}: {
  /** The filters in force; the form starts from them (remount it when they change). */
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const [user, setUser] = useState(filters.user);
  const [server, setServer] = useState(filters.server);
  const [event, setEvent] = useState<AuditEvent | ''>(filters.event);
  const [outcome, setOutcome] = useState<AuditOutcome | ''>(filters.outcome);
  const [from, setFrom] = useState(toLocalInput(filters.from));
  const [to, setTo] = useState(toLocalInput(filters.to));
  const fromInstant = fromLocalInput(from);
  const toInstant = fromLocalInput(to);
  const backwards = fromInstant !== '' && toInstant !== '' && fromInstant >= toInstant;

  function apply(e: FormEvent) {
    e.preventDefault();
    if (backwards) return;
    onApply({
      user: user.trim(),
      server: server.trim(),
      event,
      outcome,
      from: fromInstant,
      to: toInstant,
    });
  }

  return (
    <form className="audit-filters" aria-label="Filter the audit log" onSubmit={apply}>
      <FormField>
        <FormFieldLabel htmlFor="audit-user">User</FormFieldLabel>
        <Input
          id="audit-user"
          value={user}
          maxLength={253}
          placeholder="Any user"
          onChange={(e) => setUser(e.target.value)}
        />
      </FormField>
      <FormField>
        <FormFieldLabel htmlFor="audit-server">Server</FormFieldLabel>
        <Input
          id="audit-server"
          value={server}
          maxLength={253}
          placeholder="Any server"
          onChange={(e) => setServer(e.target.value)}
        />
      </FormField>
      <ChoiceFilter
        id="audit-event"
        label="Event"
        anyLabel="Any event"
        choices={AUDIT_EVENTS}
        value={event}
        onChange={setEvent}
      />
      <ChoiceFilter
        id="audit-outcome"
        label="Outcome"
        anyLabel="Any outcome"
        choices={AUDIT_OUTCOMES}
        value={outcome}
        onChange={setOutcome}
      />
      <FormField>
        <FormFieldLabel htmlFor="audit-from">From</FormFieldLabel>
        <input
          id="audit-from"
          className="native-input"
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
      </FormField>
      <FormField invalid={backwards}>
        <FormFieldLabel htmlFor="audit-to">To</FormFieldLabel>
        <input
          id="audit-to"
          className="native-input"
          type="datetime-local"
          value={to}
          aria-invalid={backwards || undefined}
          aria-describedby={backwards ? 'audit-to-error' : undefined}
          onChange={(e) => setTo(e.target.value)}
        />
        {backwards ? (
          <span id="audit-to-error" className="audit-filters__error">
            To must be later than From.
          </span>
        ) : null}
      </FormField>
      <div className="audit-filters__actions">
        <Button type="submit" size="sm" disabled={backwards}>
          <Icon name="filter" /> Apply filters
        </Button>
        <Button type="button" size="sm" variant="ghost" onClick={() => onApply(NO_FILTERS)}>
          Clear filters
        </Button>
      </div>
    </form>
  );
}

/** A filter on one of a fixed list of values, or on any (''). */
function ChoiceFilter<T extends string>({
  id,
  label,
  anyLabel,
  choices,
  value,
  onChange,
}: {
  id: string;
  label: string;
  anyLabel: string;
  choices: readonly T[];
  value: T | '';
  onChange: (value: T | '') => void;
}) {
  return (
    <FormField>
      <FormFieldLabel htmlFor={id}>{label}</FormFieldLabel>
      <NativeSelect
        id={id}
        value={value}
        onChange={(e) => onChange(choices.find((v) => v === e.target.value) ?? '')}
      >
        <option value="">{anyLabel}</option>
        {choices.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </NativeSelect>
    </FormField>
  );
}
