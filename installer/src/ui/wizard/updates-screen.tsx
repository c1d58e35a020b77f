// The default UpdatePolicy: how many nodes reboot at once, and when.
import { FieldList } from './field-view.tsx';
import type { ScreenProps } from './screen-props.ts';

export function UpdatesScreen({ state, color }: ScreenProps) {
  return <FieldList state={state} color={color} />;
}
