// The example configs do not pin the kubelet system extension's sha512 (only
// a download could tell it, and the user must make that download on a trusted
// network), so a copied example stops at validation until its user sets it.
// Tests that render an example set a test pin first, as a user would.
import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';

/** The sha512 test configs pin the kubelet system extension with: of a fixed string, since no test downloads the image. */
export const TEST_SYSEXT_SHA512 = createHash('sha512').update('strata test kubelet sysext').digest('hex');

/**
 * A cluster.yaml text with `kubernetesSysext.sha512` set to the test pin (other platforms than local need one; Strata's
 * node image carries its kubelet and takes none).
 */
export function withTestSysextPin(text: string): string {
  const document = parseDocument(text);
  if (document.get('platform') !== 'local' && document.getIn(['os', 'name']) !== 'strata')
    document.setIn(['kubernetesSysext', 'sha512'], TEST_SYSEXT_SHA512);
  return document.toString();
}
