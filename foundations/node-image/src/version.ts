/**
 * The node image's version: what its os-release says (VERSION_ID), and so the OS version that the update operator
 * and the console see on a node. Raise it whenever what the image holds changes on purpose (a package added, a
 * pinned binary moved, a unit or config file changed): the cache keys an image by this version and by a hash of its
 * inputs, so a forgotten bump still rebuilds, but two different images would then claim one version.
 * Minor for new contents, patch for fixes; the major stays 0 until the A/B update (ADR 0090) runs through the
 * update agent and the update server.
 */
export const STRATA_NODE_IMAGE_VERSION = '0.10.0';
