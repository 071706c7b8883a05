import type { RolloutPlan } from '@byoi/shared';

/** The plan as the rollout keeps it, and the surprises it holds (the BFF's notes). */
export function PlanFacts({ plan, notes }: { plan: RolloutPlan; notes: string[] }) {
  return (
    <section className="form-section" aria-labelledby="plan-title">
      <h2 id="plan-title">Plan</h2>
      <dl className="facts rollout-plan">
        <dt>Canary servers</dt>
        <dd>{plan.canary}</dd>
        <dt>Batch size</dt>
        <dd>{plan.batchSize}</dd>
        <dt>Installs at the same time</dt>
        <dd>{plan.maxInFlight}</dd>
        <dt>Failures allowed</dt>
        <dd>{plan.maxFailures}</dd>
        <dt>Pause after the canaries</dt>
        <dd>{plan.pauseAfterCanary ? 'Yes' : 'No'}</dd>
        <dt>Blocked servers</dt>
        <dd>{plan.onBlocked === 'skip' ? 'Skipped' : 'Refuse to start'}</dd>
      </dl>
      {notes.length > 0 ? (
        <ul className="rollout-notes" aria-label="Notes on this plan">
          {notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
