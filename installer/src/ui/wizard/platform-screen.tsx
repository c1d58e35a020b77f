// Where the cluster runs: local, bare metal or a cloud, each with what it needs.
import { FieldList } from './field-view.tsx';
import type { ScreenProps } from './screen-props.ts';

export function PlatformScreen({ state, color }: ScreenProps) {
  return <FieldList state={state} color={color} />;
}
