// Promoting a release to a channel, over the Kubernetes API: the one code path
// behind the JSON API's `POST /channels/<name>/promote` and any client with
// its own credentials (`strata update promote`, tests). The channel's
// spec.release is the only thing written, so GitOps sees the change, and an
// Event on the channel says who promoted what.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { StrataError, UPDATE_CHANNEL, UPDATE_RELEASE } from '@strata/api';
import { EventRecorder, isNotFound, kubernetesApiError } from '@strata/kube';
import { z } from 'zod';
import { updateChannelResourceSchema, updateReleaseResourceSchema } from '../controller/resources.ts';
import { UPDATE_SERVER_CONTROLLER } from '../controller/status-writer.ts';
import { UpdateResourceError } from '../errors.ts';

/** What to promote: a release by its resource name, or the release with this OS version. */
export type PromotionTarget = { readonly release: string } | { readonly version: string };

/** Why a promotion was refused: `field` is the input at fault (`channel`, `release` or `version`). */
export class PromotionError extends StrataError {
  readonly field: 'channel' | 'release' | 'version';

  constructor(field: 'channel' | 'release' | 'version', message: string, context: Record<string, unknown>) {
    super(message, { field, ...context });
    this.field = field;
  }
}

export interface PromoteReleaseOptions {
  /** Credentials allowed to get and patch the channel and list the releases. */
  readonly kubeConfig: KubeConfig;
  readonly channel: string;
  readonly target: PromotionTarget;
  /** Who asked, for the Event (a user name, or the CLI's). */
  readonly actor: string;
  /** The Event's reporter; a recorder of its own (reportingInstance `actor`) when absent. */
  readonly events?: EventRecorder;
  /**
   * A failed Event after the channel was written: the promotion stands, so a server logs it; without this option
   * the error is thrown, after the write.
   */
  readonly onEventError?: (error: unknown) => void;
}

export interface Promotion {
  readonly channel: string;
  readonly release: string;
  readonly version: string;
  /** The release the channel pointed at before, if any. */
  readonly previousRelease: string | undefined;
}

const listSchema = z.object({ items: z.array(z.unknown()) });

/** Points `channel` at the target release; throws PromotionError when the channel or the release does not exist. */
export async function promoteRelease(options: PromoteReleaseOptions): Promise<Promotion> {
  const customObjects = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const { channel: name } = options;
  const channelApi = { group: UPDATE_CHANNEL.group, version: UPDATE_CHANNEL.version, plural: UPDATE_CHANNEL.plural };
  // The channel gone (even between the read and the write) is the caller's mistake; anything else is the API's.
  const channelError = (verb: string, error: unknown): Error =>
    isNotFound(error)
      ? new PromotionError('channel', `UpdateChannel ${name} does not exist`, { channel: name })
      : kubernetesApiError({ verb, resource: `${UPDATE_CHANNEL.plural}.${UPDATE_CHANNEL.group}`, name }, error);
  let rawChannel: unknown;
  try {
    rawChannel = await customObjects.getClusterCustomObject({ ...channelApi, name });
  } catch (error) {
    throw channelError('get', error);
  }
  const channel = updateChannelResourceSchema.safeParse(rawChannel);
  if (!channel.success)
    throw new UpdateResourceError(`UpdateChannel ${name} does not parse: ${channel.error.message}`, {
      kind: UPDATE_CHANNEL.kind,
      name,
    });

  const releaseApi = { group: UPDATE_RELEASE.group, version: UPDATE_RELEASE.version, plural: UPDATE_RELEASE.plural };
  let rawReleases: unknown;
  try {
    rawReleases = await customObjects.listClusterCustomObject(releaseApi);
  } catch (error) {
    throw kubernetesApiError({ verb: 'list', resource: `${UPDATE_RELEASE.plural}.${UPDATE_RELEASE.group}` }, error);
  }
  // A release the API server stored but this schema refuses cannot be offered, so it cannot be promoted either.
  const releases = listSchema.parse(rawReleases).items.flatMap((item) => {
    const parsed = updateReleaseResourceSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const { target } = options;
  const release =
    'release' in target
      ? releases.find((each) => each.metadata.name === target.release)
      : releases.find((each) => each.spec.version === target.version);
  if (release === undefined)
    throw 'release' in target
      ? new PromotionError('release', `release: UpdateRelease ${target.release} does not exist`, {
          channel: name,
          release: target.release,
        })
      : new PromotionError('version', `version: no UpdateRelease has version ${target.version}`, {
          channel: name,
          version: target.version,
        });

  try {
    await customObjects.patchClusterCustomObject(
      { ...channelApi, name, body: { spec: { release: release.metadata.name } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (error) {
    throw channelError('patch', error);
  }
  const events =
    options.events ??
    new EventRecorder(options.kubeConfig, {
      reportingController: UPDATE_SERVER_CONTROLLER,
      reportingInstance: options.actor,
    });
  const recorded = events.record({
    regarding: {
      apiVersion: UPDATE_CHANNEL.apiVersion,
      kind: UPDATE_CHANNEL.kind,
      name,
      uid: channel.data.metadata.uid,
    },
    type: 'Normal',
    reason: 'Promoted',
    action: 'Promoted',
    note: `${release.spec.version} (UpdateRelease ${release.metadata.name}) promoted by ${options.actor}`,
  });
  await (options.onEventError === undefined ? recorded : recorded.catch(options.onEventError));
  return {
    channel: name,
    release: release.metadata.name,
    version: release.spec.version,
    previousRelease: channel.data.spec.release,
  };
}
