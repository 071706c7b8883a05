import type { RolloutDetailDto } from '@byoi/shared';
import { Message, MessageBody, MessageIcon, Skeleton, Spinner } from '@ovhcloud/ods-react';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import { useRollout } from '../../data/rollouts/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RolloutStateBadge } from '../../ui/RolloutStateBadge.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { LiveView } from './LiveView.tsx';
import { PlanFacts } from './PlanFacts.tsx';
import { PreflightMatrix } from './PreflightMatrix.tsx';
import { RolloutActions } from './RolloutActions.tsx';
import './rollout.css';

function ImageLine({ image }: { image: RolloutDetailDto['image'] }) {
  return (
    <p className="rollout-image">
      Image:{' '}
      {image.libraryImage ? (
        <>
          <RouterLink to={`/images/${encodeURIComponent(image.libraryImage.id)}`}>
            {image.libraryImage.name} v{image.libraryImage.version}
          </RouterLink>{' '}
        </>
      ) : null}
      <span className="verbatim">{image.imageURL}</span> ({image.imageType})
    </p>
  );
}

function Moments({ rollout }: { rollout: RolloutDetailDto }) {
  return (
    <p className="muted rollout-moments">
      Planned by {rollout.createdBy ?? 'unknown'}{' '}
      <time dateTime={rollout.createdAt}>{formatDateTime(rollout.createdAt)}</time>
      {rollout.startedAt ? <> · started {formatDateTime(rollout.startedAt)}</> : null}
      {rollout.endedAt ? <> · ended {formatDateTime(rollout.endedAt)}</> : null}
    </p>
  );
}

function Body({ rollout }: { rollout: RolloutDetailDto }) {
  const { state } = rollout;
  if (state === 'planned' || state === 'checking') {
    return (
      <p className="rollout-checking" role="status">
        <Spinner size="sm" aria-hidden="true" /> Checking the image and every server…
      </p>
    );
  }
  if (state === 'ready') {
    return (
      <>
        {rollout.matrix ? (
          <PreflightMatrix matrix={rollout.matrix} servers={rollout.servers} />
        ) : null}
        <PlanFacts plan={rollout.plan} notes={rollout.notes} />
      </>
    );
  }
  return (
    <>
      <LiveView rollout={rollout} />
      <PlanFacts plan={rollout.plan} notes={rollout.notes} />
      {rollout.matrix ? (
        <details className="rollout-matrix-details">
          <summary>Preflight</summary>
          <PreflightMatrix matrix={rollout.matrix} servers={rollout.servers} />
        </details>
      ) : null}
    </>
  );
}

/** One rollout: the check while it runs, then its matrix and Start, then the live view. */
export default function RolloutPage() {
  const { id = '' } = useParams();
  const rollout = useRollout(id);
  const canOperate = useCanOperate();
  const data = rollout.data;

  useEffect(() => {
    document.title = `${data?.name ?? 'Rollout'} · BYOI Console`;
  }, [data?.name]);

  return (
    <>
      <PageBreadcrumb
        items={[{ label: 'Rollouts', to: '/rollouts' }, { label: data?.name ?? id }]}
      />
      {rollout.isError ? (
        <ErrorMessage error={rollout.error} title="Could not read the rollout." />
      ) : null}
      {rollout.isPending ? <Skeleton /> : null}
      {data ? (
        <>
          <div className="rollout-head">
            <h1 className="page-title">{data.name}</h1>
            <RolloutStateBadge state={data.state} />
          </div>
          <Moments rollout={data} />
          <ImageLine image={data.image} />
          {data.checkError ? (
            <Message color="critical" dismissible={false} className="page-message" role="alert">
              <MessageIcon name="hexagon-exclamation" />
              <MessageBody>
                <strong>The check could not run. </strong>
                {data.checkError}
              </MessageBody>
            </Message>
          ) : null}
          {canOperate ? <RolloutActions rollout={data} /> : null}
          <Body rollout={data} />
        </>
      ) : null}
    </>
  );
}
