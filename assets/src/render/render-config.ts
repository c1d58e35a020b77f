import type { TopologyInput } from '../topology/topology.ts';

/**
 * The slice of the validated cluster config that rendering reads. The cluster
 * config schema's output type satisfies it; keeping it narrow documents what
 * each part of rendering depends on.
 */
export interface RenderConfig extends TopologyInput {
  /** Snippet paths as loaded: absolute after `loadClusterConfig`. */
  readonly controllers: TopologyInput['controllers'] & { readonly snippets?: readonly string[] | undefined };
  readonly workerPools: readonly (TopologyInput['workerPools'][number] & {
    readonly snippets?: readonly string[] | undefined;
  })[];
  readonly os: {
    readonly name: 'flatcar' | 'fedora-coreos' | 'strata';
    readonly channel: string;
    readonly version?: string | undefined;
  };
  readonly kubernetesVersion: string;
  readonly kubernetesSysext: { readonly url?: string | undefined; readonly sha512?: string | undefined };
  readonly allowUnverifiedDownloads: boolean;
  readonly networking: {
    readonly cni: 'flannel';
    readonly podCidr: string;
    readonly serviceCidr: string;
    readonly clusterDomain: string;
    readonly mtu?: number | undefined;
  };
  readonly sshAuthorizedKeys: readonly string[];
  readonly etcd: { readonly quotaBackendBytes: number };
  readonly updates: {
    readonly rebootStrategy: 'operator' | 'off';
    readonly maxUnavailable: number | string;
    readonly windows: readonly {
      readonly days: readonly ('Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun')[];
      readonly start: string;
      readonly duration: string;
      readonly timeZone: string;
    }[];
    readonly server?: string | undefined;
    readonly group?: string | undefined;
    /** Absent means HTTPS, as the config's default. */
    readonly fleetLock?: { readonly allowPlainHttp: boolean } | undefined;
  };
  readonly proxy?:
    | {
        readonly httpProxy?: string | undefined;
        readonly httpsProxy?: string | undefined;
        readonly noProxy?: readonly string[] | undefined;
      }
    | undefined;
  readonly trustedCaCertificates?: readonly string[] | undefined;
  /** Absent in configs made before mirrors existed (fixtures, older renders): none. */
  readonly registryMirrors?:
    | readonly {
        readonly registries: readonly string[];
        readonly endpoint: string;
        readonly caCertificate?: string | undefined;
      }[]
    | undefined;
  readonly certificates: { readonly caValidityDays: number; readonly validityDays: number };
  readonly join: { readonly tokenTtlHours: number };
  /** Whether the web console is deployed in the cluster; absent means deployed, as the config's default. */
  readonly console?: { readonly enabled: boolean } | undefined;
}
