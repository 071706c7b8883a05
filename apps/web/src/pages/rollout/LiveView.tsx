import type { RolloutDetailDto, RolloutServerDto } from '@byoi/shared';
import { ProgressBar } from '@ovhcloud/ods-react';
import { Link } from 'react-router';
import { formatDateTime, formatDuration } from '../../ui/format.ts';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { COUNT_ORDER, GRID_ORDER, SERVER_STATE_LABEL } from './words.ts';

const serverPath = (name: string) => `/servers/${encodeURIComponent(name)}`;

function tileText(server: RolloutServerDto): string {
  const state = SERVER_STATE_LABEL[server.state].toLowerCase();
  return server.message ? `${state}: ${server.message}` : state;
}

/** How many servers are where, and how far the rollout has got. */
function Counts({ rollout }: { rollout: RolloutDetailDto }) {
  const { counts } = rollout;
  const settled = counts.total - counts.pending - counts.installing;
  const percent = counts.total === 0 ? 0 : Math.round((settled / counts.total) * 100);
  const running = rollout.state === 'running';
  return (
    <>
      <dl className="rollout-counts" aria-label="Servers by state">
        {COUNT_ORDER.map((state) => (
          <div key={state} className={`rollout-count rollout-count--${state}`}>
            <dt>{SERVER_STATE_LABEL[state]}</dt>
            <dd>{counts[state]}</dd>
          </div>
        ))}
        <div className="rollout-count">
          <dt>Total</dt>
          <dd>{counts.total}</dd>
        </div>
      </dl>
      <div className="progress-head">
        <ProgressBar
          aria-label="Rollout progress"
          aria-valuenow={percent}
          aria-valuemin={0}
          aria-valuemax={100}
          value={percent}
          max={100}
        />
        <strong>{percent}%</strong>
        <span className="muted">
          {settled} of {counts.total} servers settled
          {running || rollout.state === 'paused'
            ? rollout.etaSeconds === null
              ? ' · time left not known yet'
              : ` · about ${formatDuration(rollout.etaSeconds)} left`
            : ''}
        </span>
      </div>
    </>
  );
}

/** One tile per server, grouped by state; each links to its server page and says its message. */
function ServerGrid({ servers }: { servers: RolloutServerDto[] }) {
  return (
    <div className="server-grid">
      {GRID_ORDER.map((state) => {
        const inState = servers.filter((server) => server.state === state);
        if (inState.length === 0) return null;
        const label = SERVER_STATE_LABEL[state];
        return (
          <div key={state} className="server-grid__group">
            <h3 className="rollout-subtitle">
              {label} ({inState.length})
            </h3>
            <ul className="server-grid__tiles" aria-label={`${label} servers`}>
              {inState.map((server) => (
                <li key={server.name}>
                  <Link
                    to={serverPath(server.name)}
                    className={`server-tile server-tile--${state}`}
                    title={`${server.name} — ${tileText(server)}`}
                  >
                    {server.name}
                    <span className="visually-hidden">, {tileText(server)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}

/** The failed installs with OVH's own words, where they can be read and copied. */
function Failures({ servers }: { servers: RolloutServerDto[] }) {
  const failed = servers.filter((server) => server.state === 'failed');
  if (failed.length === 0) return null;
  return (
    <>
      <h3 className="rollout-subtitle">Failed installs</h3>
      <ul className="rollout-failures" aria-label="Failed installs">
        {failed.map((server) => (
          <li key={server.name}>
            <RouterLink to={serverPath(server.name)}>{server.name}</RouterLink>
            <span className="rollout-failure__message">
              OVH: <span className="verbatim">{server.message ?? 'no message'}</span>
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

function Timeline({ events }: { events: RolloutDetailDto['events'] }) {
  const newestFirst = [...events].sort((a, b) => b.seq - a.seq);
  return (
    <section className="form-section" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {newestFirst.length === 0 ? (
        <p>Nothing has happened yet.</p>
      ) : (
        <ol className="timeline" aria-label="Timeline">
          {newestFirst.map((event) => (
            <li key={event.seq} className="timeline__item">
              <time dateTime={event.at} className="timeline__time">
                {formatDateTime(event.at, { seconds: true })}
              </time>
              <span>
                {event.message}
                {event.user ? <span className="cell-sub">by {event.user}</span> : null}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Once started: counts, progress, the grid of servers, the failures and the timeline. */
export function LiveView({ rollout }: { rollout: RolloutDetailDto }) {
  return (
    <>
      <section className="form-section" aria-labelledby="servers-title">
        <h2 id="servers-title">Servers</h2>
        <Counts rollout={rollout} />
        <ServerGrid servers={rollout.servers} />
        <Failures servers={rollout.servers} />
      </section>
      <Timeline events={rollout.events} />
    </>
  );
}
