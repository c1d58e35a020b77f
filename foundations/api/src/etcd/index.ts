export * from './common.ts';
export * from './etcd-cluster.ts';
export * from './etcd-backup.ts';
export * from './crds.ts';
