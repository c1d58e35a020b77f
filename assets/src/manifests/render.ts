import { coredns } from './coredns.ts';
import { flannel } from './flannel.ts';
import { resolveImages } from './images.ts';
import { parseManifestInputs, type ManifestInputs } from './inputs.ts';
import { kubeProxy } from './kube-proxy.ts';
import type { ManifestFile } from './manifest-file.ts';
import { namespaces } from './namespaces.ts';
import { nodeBootstrap } from './node-bootstrap.ts';
import { updateOperatorFiles } from './update-operator/index.ts';
import { joinApproverFile } from './join-approver/index.ts';
import { etcdOperatorFiles } from './etcd-operator/index.ts';
import { updateServerFiles } from './update-server/index.ts';
import { consoleManifests } from './console/console.ts';

/**
 * The manifests a new cluster is bootstrapped with, in apply order: the
 * namespaces add-ons install into, what lets kubelets join, the pod network,
 * Service routing, cluster DNS (whose Pods need the network), then the
 * update operator (an add-on, prefixes 50-52), the etcd operator (55-56), the update server (57-59) and the web
 * console (60), when placed. Throws
 * ManifestInputsError, naming the field, when an input is invalid.
 */
export function renderBootstrapManifests(inputs: ManifestInputs): ManifestFile[] {
  const valid = parseManifestInputs(inputs);
  const images = resolveImages(valid);
  return [
    { fileName: '00-namespaces.yaml', objects: namespaces(valid) },
    { fileName: '10-node-bootstrap.yaml', objects: nodeBootstrap(valid) },
    joinApproverFile(),
    { fileName: '20-flannel.yaml', objects: flannel(valid, images) },
    { fileName: '30-kube-proxy.yaml', objects: kubeProxy(valid, images) },
    { fileName: '40-coredns.yaml', objects: coredns(valid, images) },
    ...updateOperatorFiles(valid, images),
    ...etcdOperatorFiles(images),
    ...updateServerFiles(images, valid.updateServer),
    ...(valid.console === undefined
      ? []
      : [{ fileName: '60-console.yaml', objects: consoleManifests({ image: images.console, ...valid.console }) }]),
  ];
}
