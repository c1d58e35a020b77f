// The public entry point of @strata/assets. Other packages import only from here
// (and from '@strata/assets/binaries').
export { StrataError } from './errors/strata-error.ts';
export { PUBLIC_FILE_MODE, SECRET_FILE_MODE, writeFileAtomic } from './fs/atomic-write.ts';
export * from './pki/index.ts';
export { renderKubeconfig, writeKubeconfig, type KubeconfigInput } from './kubeconfig/kubeconfig.ts';
