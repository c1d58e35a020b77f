// The Container Linux of every node and its channel.
import { FieldList } from './field-view.tsx';
import type { ScreenProps } from './screen-props.ts';

export function OsScreen({ state, color }: ScreenProps) {
  return <FieldList state={state} color={color} />;
}
