import { Box, Text } from 'ink';
import { version } from '../version.ts';

export interface BannerProps {
  /** What the screen under the banner is about, such as the installer's current step. */
  readonly subtitle?: string;
}

/** The header of the interactive installer: the product, this installer's version and what it installs. */
export function Banner({ subtitle }: BannerProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1} alignSelf="flex-start">
      <Text>
        <Text bold color="cyan">
          Strata
        </Text>{' '}
        <Text dimColor>v{version}</Text>
      </Text>
      <Text>Kubernetes on Container Linux</Text>
      {subtitle === undefined ? null : <Text bold>{subtitle}</Text>}
    </Box>
  );
}
