// The pod and service ranges, checked against each other and this machine's networks.
import { Box, Text } from 'ink';
import { FieldList } from './field-view.tsx';
import type { ScreenProps } from './screen-props.ts';

export function NetworkingScreen({ state, color }: ScreenProps) {
  const networks = state.env.hostNetworks;
  return (
    <Box flexDirection="column">
      <FieldList state={state} color={color} />
      {networks === undefined ? null : (
        <Text wrap="truncate-end">
          {'  '}This machine&apos;s networks: {networks.length === 0 ? 'none' : networks.join(', ')}
        </Text>
      )}
    </Box>
  );
}
