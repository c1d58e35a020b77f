// The answers of the read side, one function per endpoint, with matchbox's
// rule for failures: no matching group, no profile, no template or a
// template that fails all answer 404.
import { cloudConfigProblem } from '../answers/cloud.ts';
import { ignitionAnswer, ignitionIssues } from '../answers/ignition.ts';
import { RawIgnitionError, serveRawIgnition } from '../answers/raw-ignition.ts';
import type { ButaneTranslator, Translation } from '../answers/butane.ts';
import { IPXE_BOOTSTRAP } from '../answers/ipxe.ts';
import { renderEnvFile } from '../answers/metadata.ts';
import { TemplateExecError } from '../errors.ts';
import { labelsFromQuery, type Labels } from '../labels/labels.ts';
import type { BootLogger } from '../logging.ts';
import type { Group, Profile, TemplateKind } from '@strata/api';
import { templateData } from '../templates/template-data.ts';
import { NOT_FOUND, ok, TEXT, type Answer } from './answer.ts';
import type { SnapshotView } from './snapshot-view.ts';

export const BOOT_PATHS = [
  '/',
  '/boot.ipxe',
  '/boot.ipxe.0',
  '/ipxe',
  '/grub',
  '/ignition',
  '/generic',
  '/metadata',
  '/cloud',
] as const;

const JSON_TYPE = 'application/json';
/** Matchbox's own (misspelled) content type for /metadata, kept so that answers stay the same. */
const METADATA_TYPE = 'plain/text';

interface Context {
  readonly view: SnapshotView;
  readonly rawQuery: string;
  readonly labels: Labels;
  readonly logger: BootLogger;
  readonly butane: ButaneTranslator | undefined;
}

/** An answer now, or later when it waits for Butane (a translation not yet cached). */
export type PendingAnswer = Answer | Promise<Answer>;

/**
 * The answer for a decoded path (not under /assets/) and its raw query string. With `butane`, an Ignition template
 * (a name not ending in .ign or .ignition) is translated from Butane after rendering, as matchbox does.
 */
export function answerBootRequest(
  view: SnapshotView,
  path: string,
  rawQuery: string,
  logger: BootLogger,
  butane?: ButaneTranslator,
): PendingAnswer {
  switch (path) {
    case '/':
      return ok(TEXT, 'matchbox\n');
    case '/boot.ipxe':
    case '/boot.ipxe.0':
      return ok(TEXT, IPXE_BOOTSTRAP);
  }
  const { labels, droppedMacKeys } = labelsFromQuery(rawQuery);
  if (droppedMacKeys.length > 0)
    logger.debug({ keys: droppedMacKeys }, 'ignored a MAC label that is not a MAC address');
  const context: Context = { view, rawQuery, labels, logger, butane };
  switch (path) {
    case '/ipxe':
      return withBootProfile(context, path, (profile) => ok(TEXT, view.ipxe(profile)));
    case '/grub':
      return withBootProfile(context, path, (profile) => ok(TEXT, view.grub(profile)));
    case '/ignition':
      return renderFor(context, path, 'ignition', (profile) => profile.ignition_id, ignitionTemplateBody);
    case '/generic':
      return renderFor(
        context,
        path,
        'generic',
        (profile) => profile.generic_id,
        (_context, _name, text) => ok(TEXT, text),
      );
    case '/cloud':
      return renderFor(context, path, 'cloud', (profile) => profile.cloud_id, cloudBody);
    case '/metadata': {
      const group = matchGroup(context, path);
      return group === undefined ? NOT_FOUND : ok(METADATA_TYPE, renderEnvFile(templateData(group, labels, rawQuery)));
    }
    default:
      return NOT_FOUND;
  }
}

function matchGroup(context: Context, endpoint: string): Group | undefined {
  const group = context.view.index.match(context.labels);
  if (group === undefined) context.logger.info({ endpoint, ...identity(context.labels) }, 'no matching group');
  return group;
}

function matchProfile(context: Context, endpoint: string): { group: Group; profile: Profile } | undefined {
  const group = matchGroup(context, endpoint);
  if (group === undefined) return undefined;
  const profile = context.view.profileOf(group);
  if (profile === undefined) {
    context.logger.info(
      { endpoint, group: group.id, profile: group.profile, ...identity(context.labels) },
      'the matching group names no existing profile',
    );
    return undefined;
  }
  return { group, profile };
}

/**
 * A profile without a kernel has nothing to boot. Matchbox answers 404 when
 * "boot" is absent and a script with an empty kernel line when it is present
 * but empty; Strata answers 404 for both.
 */
function withBootProfile(context: Context, endpoint: string, answer: (profile: Profile) => Answer): Answer {
  const matched = matchProfile(context, endpoint);
  if (matched === undefined) return NOT_FOUND;
  if (matched.profile.boot.kernel === '') {
    context.logger.info({ endpoint, profile: matched.profile.id }, 'the profile has no boot kernel');
    return NOT_FOUND;
  }
  context.logger.debug({ endpoint, group: matched.group.id, profile: matched.profile.id }, 'matched');
  return answer(matched.profile);
}

function renderFor(
  context: Context,
  endpoint: string,
  kind: TemplateKind,
  nameOf: (profile: Profile) => string,
  answer: (context: Context, templateKey: string, rendered: string) => PendingAnswer,
): PendingAnswer {
  const matched = matchProfile(context, endpoint);
  if (matched === undefined) return NOT_FOUND;
  const { group, profile } = matched;
  const name = nameOf(profile);
  if (kind === 'ignition' && isRawIgnitionName(name)) {
    // Matchbox decodes *.ign and *.ignition files as Ignition and never renders them as templates.
    const raw = context.view.templateSource('ignition', name);
    if (raw === undefined) {
      context.logger.info(
        { endpoint, group: group.id, profile: profile.id, template: name },
        'no ignition config of that name',
      );
      return NOT_FOUND;
    }
    let decoded: string;
    try {
      decoded = serveRawIgnition(raw);
    } catch (error) {
      if (!(error instanceof RawIgnitionError)) throw error;
      // Matchbox answers such a file with an empty config; a 404 tells the machine nothing was meant for it.
      reportOnce(context, `raw:ignition/${name}`, () =>
        context.logger.warn(
          { endpoint, template: `ignition/${name}`, field: error.context.field, error: error.message },
          'the Ignition file does not decode as Ignition 3.0-3.4; not served',
        ),
      );
      return NOT_FOUND;
    }
    context.logger.debug(
      { endpoint, group: group.id, profile: profile.id, template: `ignition/${name}` },
      'served decoded',
    );
    return ignitionBody(context, `ignition/${name}`, decoded);
  }
  const compiled = context.view.template(kind, name);
  if (compiled === undefined) {
    context.logger.info(
      { endpoint, group: group.id, profile: profile.id, template: name },
      `no ${kind} template of that name`,
    );
    return NOT_FOUND;
  }
  const templateKey = `${kind}/${name}`;
  if (!compiled.ok) {
    reportOnce(context, `parse:${templateKey}`, () =>
      context.logger.error(
        { endpoint, template: templateKey, error: compiled.error.message },
        'the template does not parse',
      ),
    );
    return NOT_FOUND;
  }
  let rendered: string;
  try {
    rendered = compiled.template.render(templateData(group, context.labels, context.rawQuery));
  } catch (error) {
    if (!(error instanceof TemplateExecError)) {
      // A fault of the engine rather than of the template; still a template error to the machine, as in matchbox.
      context.logger.error(
        { endpoint, group: group.id, profile: profile.id, err: error },
        'rendering the template failed unexpectedly',
      );
      return NOT_FOUND;
    }
    // The message names the template position and the key or type involved, never a data value.
    context.logger.warn(
      { endpoint, group: group.id, profile: profile.id, error: error.message },
      'the template failed to render',
    );
    return NOT_FOUND;
  }
  context.logger.debug({ endpoint, group: group.id, profile: profile.id, template: templateKey }, 'rendered');
  return answer(context, templateKey, rendered);
}

/** Matchbox's rule: these names hold finished Ignition JSON; every other name is a template. */
export function isRawIgnitionName(name: string): boolean {
  return name.endsWith('.ign') || name.endsWith('.ignition');
}

/** A rendered Ignition template: translated from Butane when a translator is set, as matchbox does. */
function ignitionTemplateBody(context: Context, templateKey: string, rendered: string): PendingAnswer {
  const butane = context.butane;
  if (butane === undefined) return ignitionBody(context, templateKey, rendered);
  const cached = butane.cached(rendered);
  if (cached !== undefined) return butaneAnswer(context, templateKey, cached);
  return butane.translate(rendered).then((translation) => butaneAnswer(context, templateKey, translation));
}

function butaneAnswer(context: Context, templateKey: string, translation: Translation): Answer {
  if (translation.ok) return ok(JSON_TYPE, translation.ignition);
  // Butane names the position and the rule broken; as for template errors, each reason is logged once per template.
  reportOnce(context, `butane:${templateKey}:${translation.reason}`, () =>
    context.logger.warn(
      { template: templateKey, reason: translation.reason },
      'the rendered template is not valid Butane; not served',
    ),
  );
  return NOT_FOUND;
}

function ignitionBody(context: Context, templateKey: string, rendered: string): Answer {
  const served = ignitionAnswer(rendered);
  reportOnce(context, `ignition:${templateKey}`, () => {
    if (served.declaredVersion === undefined) {
      context.logger.warn(
        { template: templateKey },
        'the rendered template is not an Ignition JSON config; serving it as rendered',
      );
      return;
    }
    if (!served.upgraded && served.declaredVersion !== '3.4.0') return;
    const issues = ignitionIssues(served.body);
    if (issues.length > 0)
      context.logger.warn({ template: templateKey, issues }, 'the served Ignition config breaks Ignition rules');
  });
  return ok(JSON_TYPE, served.body);
}

function cloudBody(context: Context, templateKey: string, rendered: string): Answer {
  const problem = cloudConfigProblem(rendered);
  if (problem !== undefined) {
    context.logger.warn({ template: templateKey, problem }, 'the rendered cloud config is not served');
    return NOT_FOUND;
  }
  return ok(TEXT, rendered);
}

function reportOnce(context: Context, key: string, report: () => void): void {
  if (context.view.checkedTemplates.has(key)) return;
  context.view.checkedTemplates.add(key);
  report();
}

/** The labels that identify a machine in logs; other label values are not logged. */
function identity(labels: Labels): Record<string, unknown> {
  return { mac: labels.get('mac'), uuid: labels.get('uuid'), labelKeys: [...labels.keys()] };
}
