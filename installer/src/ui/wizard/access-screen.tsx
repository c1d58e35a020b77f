// The SSH public key: one of ~/.ssh/*.pub, or pasted; a private key is
// refused. On bare metal also the private key the install logs in with,
// checked live as --ssh-identity is.
import { Box, Text } from 'ink';
import { chosenIdentity } from './answers.ts';
import { FieldList } from './field-view.tsx';
import { LiveCheck } from './live-check.tsx';
import type { ScreenProps } from './screen-props.ts';

export function AccessScreen({ state, color, checks }: ScreenProps) {
  const identity = chosenIdentity(state.answers);
  const publicKey = state.answers.sshKeySource === 'none' ? '' : state.answers.sshKey.trim();
  return (
    <Box flexDirection="column">
      <FieldList state={state} color={color} />
      {state.answers.platform === 'bare-metal' ? (
        <Box marginTop={1}>
          <LiveCheck
            label="SSH identity"
            inputs={`${identity ?? ''}\n${publicKey}`}
            run={identity === undefined ? undefined : () => checks.sshIdentity(identity, publicKey)}
            color={color}
          />
        </Box>
      ) : null}
      {state.notice === undefined ? null : (
        <Text color={color ? 'red' : undefined} wrap="wrap">
          ✗ {state.notice}
        </Text>
      )}
    </Box>
  );
}
