// Where everything lives: in the asset directory (`strata render --dir`) and
// on the nodes. One place, so that the PKI, kubeconfigs, static pods and
// Ignition can never disagree about a path.

/** Paths inside the asset directory (relative). Certificate bases get `.crt`/`.key` appended. */
export const ASSET_PATHS = {
  clusterCa: 'tls/ca',
  frontProxyCa: 'tls/front-proxy-ca',
  frontProxyClient: 'tls/front-proxy-client',
  apiserver: 'tls/apiserver',
  apiserverKubeletClient: 'tls/apiserver-kubelet-client',
  /** The update operator's FleetLock server, which Zincati on Fedora CoreOS nodes asks over HTTPS. */
  fleetLockServing: 'tls/fleetlock-serving',
  /** The update server's Omaha endpoint and JSON API, which update_engine on Flatcar nodes asks over HTTPS. */
  updateServerServing: 'tls/update-server-serving',
  /** The web console's HTTPS front, which browsers reach on the first controller (and in-cluster clients by its Service). */
  consoleServing: 'tls/console-serving',
  /** The key that seals the console's session cookies: kept across renders, since a new one signs every user out. */
  consoleSessionSecret: 'auth/console-session-secret',
  etcdCa: 'tls/etcd/ca',
  apiserverEtcdClient: 'tls/etcd/apiserver-etcd-client',
  etcdServer: (node: string) => `tls/etcd/server-${node}`,
  etcdPeer: (node: string) => `tls/etcd/peer-${node}`,
  serviceAccountPrivateKey: 'tls/service-account.key',
  serviceAccountPublicKey: 'tls/service-account.pub',
  encryptionConfig: 'tls/encryption-config.yaml',
  certificateInventory: 'tls/inventory.json',
  adminKubeconfig: 'auth/admin.kubeconfig',
  controllerManagerKubeconfig: (node: string) => `auth/${node}/controller-manager.kubeconfig`,
  schedulerKubeconfig: (node: string) => `auth/${node}/scheduler.kubeconfig`,
  joinApproverKubeconfig: (node: string) => `auth/${node}/join-approver.kubeconfig`,
  /** One bootstrap token per Ignition target (a machine, or a cloud pool sharing one config), with its expiration. */
  bootstrapToken: (target: string) => `auth/bootstrap/${target}.token.json`,
  bootstrapKubeconfig: (target: string) => `auth/bootstrap/${target}.kubeconfig`,
  staticManifest: (node: string, component: string) => `static-manifests/${node}/${component}.yaml`,
  manifest: (fileName: string) => `manifests/${fileName}`,
  ignition: (node: string) => `ignition/${node}.ign`,
} as const;

/** Paths on a Container Linux node. */
export const NODE_PATHS = {
  kubernetesDir: '/etc/kubernetes',
  pkiDir: '/etc/kubernetes/pki',
  clusterCaCert: '/etc/kubernetes/pki/ca.crt',
  clusterCaKey: '/etc/kubernetes/pki/ca.key',
  frontProxyCaCert: '/etc/kubernetes/pki/front-proxy-ca.crt',
  frontProxyClient: '/etc/kubernetes/pki/front-proxy-client',
  apiserver: '/etc/kubernetes/pki/apiserver',
  apiserverKubeletClient: '/etc/kubernetes/pki/apiserver-kubelet-client',
  apiserverEtcdClient: '/etc/kubernetes/pki/apiserver-etcd-client',
  etcdCaCertForApiserver: '/etc/kubernetes/pki/etcd-ca.crt',
  serviceAccountPrivateKey: '/etc/kubernetes/pki/service-account.key',
  serviceAccountPublicKey: '/etc/kubernetes/pki/service-account.pub',
  encryptionConfig: '/etc/kubernetes/pki/encryption-config.yaml',
  authenticationConfig: '/etc/kubernetes/authentication-config.yaml',
  controllerManagerKubeconfig: '/etc/kubernetes/controller-manager.kubeconfig',
  schedulerKubeconfig: '/etc/kubernetes/scheduler.kubeconfig',
  joinApproverKubeconfig: '/etc/kubernetes/join-approver.kubeconfig',
  bootstrapKubeconfig: '/etc/kubernetes/bootstrap-kubelet.kubeconfig',
  kubeletKubeconfig: '/var/lib/kubelet/kubeconfig',
  kubeletConfig: '/etc/kubernetes/kubelet.yaml',
  staticPodDir: '/etc/kubernetes/manifests',
  controllerManagerCertDir: '/var/lib/kube-controller-manager/tls',
  schedulerCertDir: '/var/lib/kube-scheduler/tls',
  etcdTlsDir: '/etc/ssl/etcd',
  etcdEnv: '/etc/etcd/etcd.env',
  etcdDataDir: '/var/lib/etcd',
} as const;

export const CERT = (base: string): string => `${base}.crt`;
export const KEY = (base: string): string => `${base}.key`;
