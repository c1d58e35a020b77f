// The cluster's name and size, and the Kubernetes version it gets.
import { Box, Text } from 'ink';
import { FieldList } from './field-view.tsx';
import { KUBERNETES_VERSION_SHOWN } from './fields.ts';
import { machineLines } from './answers.ts';
import type { ScreenProps } from './screen-props.ts';

export function ClusterScreen({ state, color }: ScreenProps) {
  const machines = machineLines(state.answers);
  const controllers = machines.filter((machine) => machine.value['role'] === 'controller').length;
  return (
    <Box flexDirection="column">
      <FieldList state={state} color={color} />
      {state.answers.platform === 'bare-metal' ? (
        <Text>
          {'  '}Controllers and workers: {controllers} and {machines.length - controllers}, from the machines
        </Text>
      ) : null}
      <Text>
        {'  '}Kubernetes {KUBERNETES_VERSION_SHOWN} (the version this Strata installs)
      </Text>
    </Box>
  );
}
