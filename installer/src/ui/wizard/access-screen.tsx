// The SSH public key: one of ~/.ssh/*.pub, or pasted; a private key is refused.
import { Box, Text } from 'ink';
import { FieldList } from './field-view.tsx';
import type { ScreenProps } from './screen-props.ts';

export function AccessScreen({ state, color }: ScreenProps) {
  return (
    <Box flexDirection="column">
      <FieldList state={state} color={color} />
      {state.notice === undefined ? null : (
        <Text color={color ? 'red' : undefined} wrap="wrap">
          ✗ {state.notice}
        </Text>
      )}
    </Box>
  );
}
