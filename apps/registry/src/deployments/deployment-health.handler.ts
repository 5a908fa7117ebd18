import { Injectable } from '@nestjs/common';
import { ControlPlane } from '@matih/control-plane';
import { DeploymentsService } from './deployments.service';

/**
 * The monitor's health changes and alerts, recorded in each deployment's history (its audit log).
 * Health is not lifecycle: the deployment's state is left as it is.
 */
@Injectable()
export class DeploymentHealthHandler {
  constructor(controlPlane: ControlPlane, deployments: DeploymentsService) {
    controlPlane.on('deployment.health-changed', async (envelope) => {
      const { deploymentId, ...payload } = envelope.payload;
      const reason = payload.reasons.length > 0 ? payload.reasons.join('; ') : `${payload.state}`;
      await deployments.record(deploymentId, { type: envelope.type, payload: { deploymentId, ...payload }, reason }, 'monitor', envelope);
    });
  }
}
