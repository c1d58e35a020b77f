import type { BootstrapImages } from '../images.ts';
import type { ManifestInputs } from '../inputs.ts';
import type { ManifestFile } from '../manifest-file.ts';
import { agentNodePolicy } from './agent-node-policy.ts';
import { operatorNodePolicy } from './operator-node-policy.ts';
import { updatePolicyCrd } from '@strata/api';
import { defaultUpdatePolicy } from './default-policy.ts';
import { updateOperatorRbac } from './rbac.ts';
import { fleetLockTlsSecret } from './fleetlock-tls.ts';
import { metricsService } from './services.ts';
import { agentDaemonSet, operatorDeployment } from './workloads.ts';

/**
 * The update operator's files, in apply order: the CRD alone first, because the API server serves UpdatePolicies
 * only once it is established; then everything that runs, the admission policies before the agents and operator they
 * restrain, the FleetLock certificate's Secret before the Deployment that mounts it; then the default UpdatePolicy.
 */
export function updateOperatorFiles(inputs: ManifestInputs, images: BootstrapImages): ManifestFile[] {
  return [
    { fileName: '50-update-operator-crd.yaml', objects: [updatePolicyCrd()] },
    {
      fileName: '51-update-operator.yaml',
      objects: [
        ...updateOperatorRbac(),
        ...agentNodePolicy(),
        ...operatorNodePolicy(),
        metricsService(),
        ...(inputs.fleetLockTls === undefined ? [] : [fleetLockTlsSecret(inputs.fleetLockTls)]),
        operatorDeployment(images.updateOperator, { tls: inputs.fleetLockTls !== undefined }),
        agentDaemonSet(images.updateOperator),
      ],
    },
    { fileName: '52-update-policy.yaml', objects: [defaultUpdatePolicy(inputs.defaultUpdatePolicy)] },
  ];
}
