// /cloud (deprecated in matchbox, read-only here): a rendered template is
// served only if it is a #cloud-config document that parses as YAML, or a
// script ("#!"), as matchbox checks with coreos-cloudinit.
import { parse } from 'yaml';

export function cloudConfigProblem(rendered: string): string | undefined {
  if (rendered.startsWith('#!')) return undefined;
  const header = (rendered.split('\n', 1)[0] ?? '').replace(/\r$/, '');
  if (header !== '#cloud-config') return 'is neither a #cloud-config document nor a script';
  try {
    parse(rendered);
    return undefined;
  } catch (error) {
    return `is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}
