import { Injectable } from '@nestjs/common';
import type { Envelope, MessageType } from '@matih/contracts';
import { ControlPlane } from '@matih/control-plane';
import type { DeploymentEvent } from './deployment';
import { DeploymentsService } from './deployments.service';

/** Which service reports each message, and what it means for the deployment. */
const REPORTS: { [T in MessageType]?: { service: string; toEvent: (e: Envelope<T>) => DeploymentEvent } } = {
  'plan.compiled': { service: 'compiler', toEvent: ({ payload: p }) => ({ type: 'plan.compiled', payload: { version: p.version, hash: p.hash, plan: p.plan } }) },
  'compilation.failed': {
    service: 'compiler',
    toEvent: ({ payload: p }) => ({ type: 'compilation.failed', payload: { version: p.version, diagnostics: p.diagnostics } }),
  },
  'job.submitted': { service: 'flink-submitter', toEvent: ({ payload: p }) => ({ type: 'job.submitted', payload: { jobId: p.jobId, jobName: p.jobName } }) },
  'job.running': { service: 'flink-submitter', toEvent: ({ payload: p }) => ({ type: 'job.running', payload: { jobId: p.jobId } }) },
  'job.failed': { service: 'flink-submitter', toEvent: ({ payload: p }) => ({ type: 'job.failed', payload: { reason: p.reason } }) },
  'job.stopped': { service: 'flink-submitter', toEvent: ({ payload: p }) => ({ type: 'job.stopped', payload: { savepointPath: p.savepointPath } }) },
  'executor.started': { service: 'microbatch', toEvent: ({ payload: p }) => ({ type: 'executor.started', payload: { instanceId: p.instanceId } }) },
  'executor.failed': { service: 'microbatch', toEvent: ({ payload: p }) => ({ type: 'executor.failed', payload: { reason: p.reason } }) },
  'executor.stopped': { service: 'microbatch', toEvent: ({ payload: p }) => ({ type: 'executor.stopped', payload: { instanceId: p.instanceId } }) },
};

/** Commands the registry sends; a `command.failed` about one of them fails the deployment. */
const OUR_COMMANDS = new Set(['compile.requested', 'flink.job.submit', 'flink.job.stop', 'microbatch.assign', 'microbatch.release']);

/**
 * What the compiler and the engines report about deployments, applied to the deployments once per
 * message (a redelivered message is recognised by its id and skipped).
 */
@Injectable()
export class DeploymentReportsHandler {
  constructor(controlPlane: ControlPlane, deployments: DeploymentsService) {
    for (const [type, report] of Object.entries(REPORTS) as [MessageType, { service: string; toEvent: (e: Envelope) => DeploymentEvent }][]) {
      controlPlane.on(type, async (envelope) => {
        const deploymentId = (envelope.payload as { deploymentId: string }).deploymentId;
        await deployments.report(deploymentId, report.toEvent(envelope), report.service, envelope);
      });
    }
    controlPlane.on('command.failed', async (envelope) => {
      if (!OUR_COMMANDS.has(envelope.payload.commandType)) return;
      const reason = `${envelope.payload.service} could not carry out ${envelope.payload.commandType}: ${envelope.payload.reason}`;
      await deployments.report(envelope.key, { type: 'job.failed', payload: { reason } }, envelope.payload.service, envelope);
    });
  }
}
