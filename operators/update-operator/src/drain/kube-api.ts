// Small helpers around @kubernetes/client-node shared by the drain and the agent.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** Request options that send a patch as a JSON merge patch (RFC 7386). */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
