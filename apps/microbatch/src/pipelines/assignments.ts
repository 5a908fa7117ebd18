import type { Envelope, PayloadOf } from '@matih/contracts';

export type Assignment = PayloadOf<'microbatch.assign'>;

/**
 * The deployments assigned now, folded from the micro-batch commands in the order they were sent
 * (a deployment's commands share its key, hence one partition, hence an order): an assign adds or
 * replaces the deployment, a release removes it.
 */
export function foldAssignments(history: readonly Envelope[]): Map<string, Assignment> {
  const assigned = new Map<string, Assignment>();
  for (const envelope of history) {
    if (envelope.type === 'microbatch.assign') assigned.set(envelope.payload.deploymentId, envelope.payload);
    else if (envelope.type === 'microbatch.release') assigned.delete(envelope.payload.deploymentId);
  }
  return assigned;
}
