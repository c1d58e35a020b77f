import type { Cidr } from '../../net/cidr.ts';
import type { Finding } from '../issue.ts';
import type { ConfigReader } from '../reader.ts';

export interface RuleContext {
  /** Networks of the machine the config is checked on. */
  readonly hostNetworks: readonly Cidr[];
}

/** A check that relates fields to each other; it reads through `ConfigReader` so that it runs on partly valid files too. */
export type Rule = (config: ConfigReader, context: RuleContext) => Finding[];

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
