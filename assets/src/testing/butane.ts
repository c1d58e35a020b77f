// Butane documents for the tests of snippets, in this package and others.
import { stringify } from 'yaml';

export interface ButaneFile {
  readonly path: string;
  readonly inline: string;
  readonly mode?: number;
}

export interface ButaneUnit {
  readonly name: string;
  readonly enabled?: boolean;
  readonly contents?: string;
  readonly dropins?: readonly { readonly name: string; readonly contents: string }[];
}

export interface ButaneSnippetOptions {
  /** Default flatcar. */
  readonly variant?: 'flatcar' | 'fcos';
  /** Default the variant's spec that gives Ignition 3.4.0: flatcar 1.1.0, fcos 1.5.0. */
  readonly version?: string;
  readonly files?: readonly ButaneFile[];
  readonly units?: readonly ButaneUnit[];
}

/** A oneshot unit that is enabled: what a snippet typically adds. */
export function aButaneUnit(name: string, execStart = '/usr/bin/true'): ButaneUnit {
  return {
    name,
    enabled: true,
    contents: `[Service]\nType=oneshot\nExecStart=${execStart}\n[Install]\nWantedBy=multi-user.target\n`,
  };
}

/** The YAML text of a Butane snippet. */
export function butaneSnippet(options: ButaneSnippetOptions = {}): string {
  const variant = options.variant ?? 'flatcar';
  return stringify({
    variant,
    version: options.version ?? (variant === 'fcos' ? '1.5.0' : '1.1.0'),
    ...(options.files === undefined
      ? {}
      : {
          storage: {
            files: options.files.map((file) => ({
              path: file.path,
              ...(file.mode === undefined ? {} : { mode: file.mode }),
              contents: { inline: file.inline },
            })),
          },
        }),
    ...(options.units === undefined ? {} : { systemd: { units: options.units } }),
  });
}
