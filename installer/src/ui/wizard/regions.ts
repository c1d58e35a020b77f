// The regions and zones the wizard offers on each cloud. A short list of
// common ones: the config accepts any region of the right shape, and a user
// who needs another writes it into cluster.yaml by hand.

export interface CloudRegion {
  readonly name: string;
  /** Zone names in the provider's own spelling (Azure numbers a location's zones "1" to "3"). */
  readonly zones: readonly string[];
}

export const AWS_REGIONS: readonly CloudRegion[] = [
  { name: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  { name: 'us-east-2', zones: ['us-east-2a', 'us-east-2b', 'us-east-2c'] },
  { name: 'us-west-2', zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
  { name: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
  { name: 'eu-central-1', zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'] },
  { name: 'ap-southeast-1', zones: ['ap-southeast-1a', 'ap-southeast-1b', 'ap-southeast-1c'] },
];

export const GCP_REGIONS: readonly CloudRegion[] = [
  { name: 'us-central1', zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'] },
  { name: 'us-east1', zones: ['us-east1-b', 'us-east1-c', 'us-east1-d'] },
  { name: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'] },
  { name: 'europe-west4', zones: ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'] },
  { name: 'asia-east1', zones: ['asia-east1-a', 'asia-east1-b', 'asia-east1-c'] },
];

export const AZURE_LOCATIONS: readonly CloudRegion[] = [
  { name: 'eastus', zones: ['1', '2', '3'] },
  { name: 'westus2', zones: ['1', '2', '3'] },
  { name: 'westeurope', zones: ['1', '2', '3'] },
  { name: 'northeurope', zones: ['1', '2', '3'] },
];

export const DEFAULT_MACHINE_TYPES = {
  aws: { controller: 't3.medium', worker: 't3.large' },
  gcp: { controller: 'n2-standard-2', worker: 'n2-standard-4' },
  azure: { controller: 'Standard_D2as_v5', worker: 'Standard_D4as_v5' },
} as const;
