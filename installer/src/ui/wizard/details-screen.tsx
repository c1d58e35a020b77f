// The platform's own settings, with the live checks the platform allows.
import { Box, Text } from 'ink';
import { FieldList } from './field-view.tsx';
import { LiveCheck } from './live-check.tsx';
import type { ScreenProps } from './screen-props.ts';

export function DetailsScreen({ state, color, checks }: ScreenProps) {
  const { answers } = state;
  const files = {
    url: answers.bootApi.trim(),
    caFile: answers.bootApiCa.trim(),
    certFile: answers.bootApiCert.trim(),
    keyFile: answers.bootApiKey.trim(),
  };
  const filesGiven = Object.values(files).every((value) => value !== '');
  const platform = answers.platform;
  return (
    <Box flexDirection="column">
      <FieldList state={state} color={color} />
      <Box flexDirection="column" marginTop={1}>
        {platform === 'local' ? <Text>The local platform runs every node as processes on this machine.</Text> : null}
        {platform === 'bare-metal' ? (
          <>
            <LiveCheck
              label="boot server"
              inputs={answers.bootServer}
              run={/^https?:\/\/./.test(answers.bootServer) ? () => checks.bootServer(answers.bootServer) : undefined}
              color={color}
            />
            <LiveCheck
              label="write API's client certificate"
              inputs={JSON.stringify(files)}
              run={filesGiven ? () => checks.writeApi(files) : undefined}
              color={color}
            />
          </>
        ) : null}
        {platform === 'aws' || platform === 'gcp' || platform === 'azure' ? (
          <LiveCheck
            label="credentials"
            inputs={platform}
            run={() => checks.cloudCredentials(platform)}
            color={color}
          />
        ) : null}
      </Box>
    </Box>
  );
}
