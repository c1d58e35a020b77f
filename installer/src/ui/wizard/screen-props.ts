import type { WizardChecks } from './checks.ts';
import type { WizardState } from './model.ts';

/** What every screen component is drawn from. */
export interface ScreenProps {
  readonly state: WizardState;
  readonly color: boolean;
  readonly checks: WizardChecks;
  readonly rows: number;
  readonly existing: string | undefined;
  readonly target: string;
  /** The file `existing` was read from: `target`, or the --dir cluster's copy when there is no `target`. */
  readonly source: string;
}
