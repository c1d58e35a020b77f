import type { Problem } from './problem.ts';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const LABEL_MAX = 63;
export const SUBDOMAIN_MAX = 253;

/** The same rules as JSON Schema patterns, for editors; the checks below give the better messages. */
export const DNS_LABEL_PATTERN = LABEL;
export const DNS_SUBDOMAIN_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Lower-cases and replaces what DNS forbids, for a "use this instead" hint. */
function repairLabel(value: string, maxLength: number): string {
  return value
    .toLowerCase()
    .replace(/[^-a-z0-9]+/g, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');
}

function suggestion(repaired: string, original: string): string | undefined {
  return repaired !== '' && repaired !== original ? `use "${repaired}"` : undefined;
}

/** A DNS-1123 label (RFC 1123): what Kubernetes accepts as a name, and one dot-free part of a host name. */
export function checkDnsLabel(value: string, maxLength = LABEL_MAX): Problem | undefined {
  if (value.length > maxLength) {
    return {
      message: `is ${value.length} characters long; at most ${maxLength} are allowed`,
      hint: suggestion(repairLabel(value, maxLength), value) ?? `shorten it to ${maxLength} characters`,
    };
  }
  if (!LABEL.test(value)) {
    const hint = suggestion(repairLabel(value, maxLength), value);
    return {
      message: 'must consist of lower-case letters, digits and "-", and start and end with a letter or digit',
      ...(hint === undefined ? {} : { hint }),
    };
  }
  return undefined;
}

/** A DNS-1123 subdomain: dot-separated labels, 253 characters at most. */
export function checkDnsSubdomain(value: string): Problem | undefined {
  if (value.length > SUBDOMAIN_MAX) {
    return { message: `is ${value.length} characters long; a DNS name has at most ${SUBDOMAIN_MAX}` };
  }
  if (value.endsWith('.')) {
    return { message: 'must not end with "."', hint: `use "${value.replace(/\.+$/, '')}"` };
  }
  const labels = value.split('.');
  if (labels.every((label) => LABEL.test(label) && label.length <= LABEL_MAX)) {
    return undefined;
  }
  const repaired = labels
    .map((label) => repairLabel(label, LABEL_MAX))
    .filter((label) => label !== '')
    .join('.');
  const hint = suggestion(repaired, value);
  return {
    message:
      'must be a DNS name: dot-separated parts of lower-case letters, digits and "-", each starting and ending with a letter or digit',
    ...(hint === undefined ? {} : { hint }),
  };
}

// The URL standard reads a host whose last part is a number ("6", "0x1f") as
// an IPv4 address, and refuses it if the whole is not one: "api.demo.6" makes
// no https:// URL, so kubeconfigs and kubelets could not name the API by it.
// No top-level domain is numeric, so such a name is a slip.
const NUMERIC_LAST_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)$/;

/** A DNS subdomain that also works as the host of a URL: its last part is not a number. */
export function checkHostName(value: string): Problem | undefined {
  const problem = checkDnsSubdomain(value);
  if (problem !== undefined) {
    return problem;
  }
  return NUMERIC_LAST_LABEL.test(value)
    ? {
        message: 'ends in a numeric part, which URLs read as an IPv4 address',
        hint: 'end the name in a top-level domain of letters, e.g. "example.com"',
      }
    : undefined;
}

/** A fully qualified host name: a DNS subdomain with at least two labels. */
export function checkFqdn(value: string): Problem | undefined {
  const problem = checkHostName(value);
  if (problem !== undefined) {
    return problem;
  }
  return value.includes('.')
    ? undefined
    : { message: 'must be a fully qualified domain name', hint: `add the domain, e.g. "${value}.example.com"` };
}

// Kubernetes label keys and values, as apimachinery validates them.
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function checkLabelKey(value: string): Problem | undefined {
  const slash = value.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : value.slice(0, slash);
  const name = slash === -1 ? value : value.slice(slash + 1);
  if (prefix !== undefined) {
    const problem = checkDnsSubdomain(prefix);
    if (problem !== undefined) {
      return {
        message: `has an invalid prefix "${prefix}": it ${problem.message}`,
        hint: 'write the key as <dns-name>/<name>, e.g. "node.strata.dev/pool"',
      };
    }
  }
  if (name.length > LABEL_MAX || !LABEL_NAME.test(name)) {
    return {
      message: `has an invalid name part "${name}": at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
      hint: 'e.g. "node.strata.dev/pool" or "gpu"',
    };
  }
  return undefined;
}

export function checkLabelValue(value: string): Problem | undefined {
  if (value === '' || (value.length <= LABEL_MAX && LABEL_NAME.test(value))) {
    return undefined;
  }
  return {
    message: 'must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    hint: 'label values are short identifiers such as "worker" or "gpu-a100"',
  };
}
