// The join approver's bootstrap manifests; its static pod is rendered per controller (render/catalog/static-pods.ts).
import type { ManifestFile } from '../manifest-file.ts';
import { joinApproverRbac } from './rbac.ts';
import { joinApproverTokenPolicy } from './token-policy.ts';

export { JOIN_APPROVER_NAMES } from './names.ts';

/** RBAC and the admission policy before anything joins: nodes bootstrap once the approver runs. */
export function joinApproverFile(): ManifestFile {
  return { fileName: '11-join-approver.yaml', objects: [...joinApproverTokenPolicy(), ...joinApproverRbac()] };
}
