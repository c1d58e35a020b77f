import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { clusterConfigSchema, PLATFORM_SECTIONS, PLATFORMS } from './schema.ts';

// Editors validate and complete cluster.yaml from this file through the YAML
// language server (VS Code's YAML extension, Neovim, JetBrains): a first line
//   # yaml-language-server: $schema=<path or URL of cluster.schema.json>
// opts a file in, as the files in examples/ do.

export const CLUSTER_SCHEMA_ID = 'https://strata.dev/schemas/v1alpha1/cluster.schema.json';
export const CLUSTER_SCHEMA_PATH = fileURLToPath(new URL('../../schema/cluster.schema.json', import.meta.url));

/**
 * "The section of the chosen platform, and no other" in JSON Schema terms.
 * zod cannot say it (the rule is a cross-field check in rules/platform.ts), so
 * it is added here for editors.
 */
function platformSectionConditions(): object[] {
  return PLATFORMS.map((platform) => {
    const own = PLATFORM_SECTIONS[platform];
    const others = PLATFORMS.filter((other) => other !== platform).map((other) => ({
      required: [PLATFORM_SECTIONS[other]],
    }));
    return {
      if: { properties: { platform: { const: platform } }, required: ['platform'] },
      then: { ...(platform === 'local' ? {} : { required: [own] }), not: { anyOf: others } },
    };
  });
}

/** The JSON Schema of what a cluster.yaml may contain (the input side: fields with defaults are optional). */
export function clusterConfigJsonSchema(): Record<string, unknown> {
  const { $schema, ...generated } = z.toJSONSchema(clusterConfigSchema, { io: 'input', unrepresentable: 'throw' });
  return {
    $schema,
    $id: CLUSTER_SCHEMA_ID,
    title: 'Strata cluster configuration',
    description:
      'cluster.yaml: one Kubernetes cluster on Flatcar Container Linux or Fedora CoreOS. Generated from assets/src/config/schema.ts; do not edit.',
    ...generated,
    allOf: platformSectionConditions(),
  };
}

export function renderClusterConfigJsonSchema(): string {
  return `${JSON.stringify(clusterConfigJsonSchema(), null, 2)}\n`;
}
