// Where Strata's boot server answers differently from matchbox on purpose.
// The differential test fails on any other difference; each entry here is
// mirrored in the README's "Differences from matchbox", with its reason.

export interface ComparedAnswer {
  readonly status: number;
  readonly body: string;
  /** The Location header of a redirect. */
  readonly location?: string;
}

export interface DeliberateDifference {
  readonly id: string;
  readonly reason: string;
  /** True when this pair of answers to one request is this difference. */
  matches(endpoint: string, matchbox: ComparedAnswer, strata: ComparedAnswer): boolean;
}

/** What matchbox serves for an Ignition file it cannot parse: Go's zero config. */
export const MATCHBOX_EMPTY_CONFIG =
  '{"ignition":{"config":{"replace":{"verification":{}}},"proxy":{},"security":{"tls":{}},"timeouts":{},"version":""},' +
  '"kernelArguments":{},"passwd":{},"storage":{},"systemd":{}}';

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  {
    id: 'undecodable-ign',
    reason:
      'an .ign file that does not decode as Ignition 3.0-3.4 answers 404 with a log line; matchbox answers 200 with ' +
      'an empty config, which a machine would boot with and stay unprovisioned',
    matches: (endpoint, matchbox, strata) =>
      endpoint === '/ignition' &&
      matchbox.status === 200 &&
      matchbox.body === MATCHBOX_EMPTY_CONFIG &&
      strata.status === 404,
  },
  {
    id: 'ign-semantic-rules',
    reason:
      "not yet implemented: Ignition's semantic rules (absolute paths, valid URLs, no duplicates) are not applied to " +
      '.ign files, so Strata serves a config that breaks them, decoded, where matchbox serves an empty config',
    matches: (endpoint, matchbox, strata) =>
      endpoint === '/ignition' &&
      matchbox.status === 200 &&
      matchbox.body === MATCHBOX_EMPTY_CONFIG &&
      strata.status === 200,
  },
];
