import type { RolloutDetailDto, RolloutMatrixDto } from '@byoi/shared';
import { Badge, Table } from '@ovhcloud/ods-react';
import { CheckList } from '../../ui/CheckList.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { RouterLink } from '../../ui/RouterLink.tsx';

/** The image probed once, every hardware profile judged against it, and who is blocked and why. */
export function PreflightMatrix({
  matrix,
  servers,
}: {
  matrix: RolloutMatrixDto;
  servers: RolloutDetailDto['servers'];
}) {
  const blocked = servers.filter((server) => server.state === 'blocked');
  return (
    <section className="form-section" aria-labelledby="matrix-title">
      <h2 id="matrix-title">Preflight</h2>
      <p>
        Checked <time dateTime={matrix.checkedAt}>{formatDateTime(matrix.checkedAt)}</time>: the
        image once, then each hardware profile against it.
      </p>
      <h3 className="rollout-subtitle">The image</h3>
      <CheckList label="Image checks" checks={matrix.imageChecks} />
      {matrix.resolvedChecksum ? (
        <p className="rollout-checksum">
          Checksum from the checksum file, installed with the image: {matrix.resolvedChecksum.type}{' '}
          <span className="verbatim">{matrix.resolvedChecksum.checksum}</span>
        </p>
      ) : null}
      <h3 className="rollout-subtitle">Hardware profiles</h3>
      <div className="table-wrap">
        <Table aria-label="Hardware profiles" className="stack-table rollout-table">
          <thead>
            <tr>
              <th scope="col">Profile</th>
              <th scope="col">Servers</th>
              <th scope="col">Verdict</th>
              <th scope="col">Reasons</th>
            </tr>
          </thead>
          <tbody>
            {matrix.profiles.map((profile) => (
              <tr key={profile.key}>
                <td data-label="Profile">{profile.label}</td>
                <td data-label="Servers">{profile.servers.length}</td>
                <td data-label="Verdict">
                  {profile.verdict === 'ok' ? (
                    <Badge color="success">OK</Badge>
                  ) : (
                    <Badge color="critical">Blocked</Badge>
                  )}
                </td>
                <td data-label="Reasons">
                  {profile.reasons.length > 0 ? (
                    <ul className="rollout-reasons">
                      {profile.reasons.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </div>
      {blocked.length > 0 ? (
        <>
          <h3 className="rollout-subtitle">Blocked servers ({blocked.length})</h3>
          <ul className="rollout-reasons" aria-label="Blocked servers">
            {blocked.map((server) => (
              <li key={server.name}>
                <RouterLink to={`/servers/${encodeURIComponent(server.name)}`}>
                  {server.name}
                </RouterLink>
                : {server.message ?? 'the image cannot fit this server.'}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
