import { StrataError } from '@strata/api';

/** The Kubernetes API refused or failed a read or write of the boot store, for a reason other than the request itself. */
export class KubernetesStoreError extends StrataError {}
