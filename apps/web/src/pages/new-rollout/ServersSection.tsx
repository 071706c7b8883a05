import { MAX_ROLLOUT_SERVERS } from '@byoi/shared';
import { Input, Skeleton, Textarea } from '@ovhcloud/ods-react';
import { useWatch } from 'react-hook-form';
import type { UseFormReturn } from 'react-hook-form';
import { useServers } from '../../data/servers/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import type { CreateRolloutInput } from '@byoi/shared';
import type { RolloutFormValues } from './rolloutForm.ts';
import { namesOf } from './rolloutForm.ts';

type FormApi = UseFormReturn<RolloutFormValues, unknown, CreateRolloutInput>;

const counted = new Intl.NumberFormat('en');

/**
 * The servers a search would take, across the whole fleet (up to one rollout's most), and the
 * datacenters they are in: the count the plan's notes need, before the BFF resolves it again.
 */
export function useSearchMatches(search: string, datacenter: string[], enabled: boolean) {
  const query = useServers(
    { page: 1, pageSize: MAX_ROLLOUT_SERVERS, search, sort: 'name', order: 'asc' },
    { enabled },
  );
  const items = query.data?.items ?? [];
  const datacenters = [...new Set(items.map((server) => server.datacenter))].sort();
  const kept =
    datacenter.length === 0 ? items : items.filter((s) => datacenter.includes(s.datacenter));
  return { query, datacenters, count: query.data ? kept.length : null, total: query.data?.total };
}

export type SearchMatches = ReturnType<typeof useSearchMatches>;

function MatchCount({
  form,
  search,
  datacenter,
  matches,
}: {
  form: FormApi;
  search: string;
  datacenter: string[];
  matches: SearchMatches;
}) {
  const { query, datacenters, count, total } = matches;
  if (query.isError) {
    return <ErrorMessage error={query.error} title="Could not count the matching servers." />;
  }
  if (count === null || total === undefined) return <Skeleton />;
  return (
    <>
      {datacenters.length > 1 || datacenter.length > 0 ? (
        <fieldset className="choice-group">
          <legend>Datacenters</legend>
          <p className="field-hint">None ticked: every datacenter.</p>
          <div className="choice-group__row">
            {[...new Set([...datacenters, ...datacenter])].sort().map((dc) => (
              <label key={dc} className="inline-choice">
                <input type="checkbox" value={dc} {...form.register('servers.datacenter')} />
                {dc}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      <p className="servers-count" role="status">
        {total > MAX_ROLLOUT_SERVERS
          ? `${counted.format(total)} servers match: a rollout covers at most ${counted.format(MAX_ROLLOUT_SERVERS)}. Narrow the search or pick datacenters.`
          : `${counted.format(count)} server${count === 1 ? '' : 's'} ${search ? `matching “${search}”` : 'in the fleet'}${datacenter.length > 0 ? ` in ${datacenter.join(', ')}` : ''}.`}{' '}
        <span className="muted">The search is resolved again when the rollout is planned.</span>
      </p>
    </>
  );
}

/** Which servers: names (as the list's selection brings them), or a search and datacenters. */
export function ServersSection({
  form,
  search,
  matches,
}: {
  form: FormApi;
  /** The search as last settled (debounced): what `matches` answers. */
  search: string;
  matches: SearchMatches;
}) {
  const { register, control, formState } = form;
  const mode = useWatch({ control, name: 'servers.mode' });
  const namesText = useWatch({ control, name: 'servers.names' });
  const datacenter = useWatch({ control, name: 'servers.datacenter' });
  const errors = formState.errors.servers;
  const names = namesOf(namesText);

  return (
    <section className="form-section" aria-labelledby="rollout-servers">
      <h2 id="rollout-servers">Servers</h2>
      <p>Every server is wiped and installed with the image. The preflight checks them first.</p>
      <fieldset className="choice-group">
        <legend className="visually-hidden">How to pick the servers</legend>
        <label className="inline-choice">
          <input type="radio" value="names" {...register('servers.mode')} />
          By name
        </label>
        <label className="inline-choice">
          <input type="radio" value="search" {...register('servers.mode')} />
          By search and datacenter
        </label>
      </fieldset>
      {mode === 'names' ? (
        <Field
          id="rollout-server-names"
          label="Server names"
          required
          error={errors?.names?.message}
          hint={`One name a line, e.g. ns1234567.ip-51-91-0.eu. ${counted.format(names.length)} named; at most ${counted.format(MAX_ROLLOUT_SERVERS)}.`}
        >
          <Textarea
            {...register('servers.names')}
            aria-required
            rows={Math.min(12, Math.max(4, names.length + 1))}
            className="mono"
            spellCheck={false}
          />
        </Field>
      ) : (
        <>
          <Field
            id="rollout-server-search"
            label="Search servers"
            error={errors?.search?.message}
            hint="Part of a server name or display name, any case; empty: every server you may see."
          >
            <Input {...register('servers.search')} type="search" autoComplete="off" />
          </Field>
          {errors?.datacenter?.message ? (
            <p className="field-error" role="alert">
              {errors.datacenter.message}
            </p>
          ) : null}
          <MatchCount form={form} search={search} datacenter={datacenter} matches={matches} />
        </>
      )}
    </section>
  );
}
