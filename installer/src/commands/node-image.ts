// `strata node-image publish`: Strata's node image (os.name: strata) into a boot server's assets, where the
// machines' install profiles fetch it.
import { Command } from 'commander';
import { ensureNodeImage } from '@strata/node-image';
import { describeError } from '../error-output.ts';
import { publishNodeImage } from '../install/bare-metal/node-image-release.ts';
import { CommandGroup } from './command-group.ts';

export const NODE_IMAGE_EXIT = { done: 0, failed: 1, usage: 2 } as const;

const PUBLISH_HELP = `
Builds the node image once if this machine's cache lacks it (minutes; as root:
mmdebstrap), then copies its kernel, initramfs and install image (disk.img.zst)
into <assets-path>/strata/<version>/, each file whole. Serve that directory as
the boot server's assets (strata boot-server serve --assets-path <assets-path>):
a bare-metal cluster.yaml with os.name: strata installs its machines from there,
and strata install's preflight checks that the boot server serves this release.

Exit codes: 0 published, 1 failed, 2 bad usage.

Example:
  strata node-image publish --assets-path /var/lib/strata/boot/assets`;

export function nodeImageCommand(): Command {
  const group = new CommandGroup('node-image').description(
    "Strata's node image (os.name: strata): publish it where the boot server serves the machines' installs",
  );
  group.addCommand(
    new Command('publish')
      .description("copy the node image's kernel, initramfs and install image into a boot server's assets directory")
      .requiredOption('--assets-path <dir>', "the boot server's assets directory (its --assets-path)")
      .option('--json', 'print the version, directory and files as one JSON object')
      .addHelpText('after', PUBLISH_HELP)
      .action(async (options: { assetsPath: string; json?: boolean }) => {
        try {
          const progress = (line: string) => {
            if (options.json !== true) process.stderr.write(`${line}\n`);
          };
          const image = await ensureNodeImage({ progress });
          const published = await publishNodeImage(image, options.assetsPath);
          if (options.json === true) process.stdout.write(`${JSON.stringify(published)}\n`);
          else process.stdout.write(`node image ${published.version} published in ${published.dir}\n`);
        } catch (error) {
          const message = describeError(error);
          if (options.json === true)
            process.stdout.write(
              `${JSON.stringify({ type: 'error', exitCode: NODE_IMAGE_EXIT.failed, error: message })}\n`,
            );
          else process.stderr.write(`strata: ${message}\n`);
          process.exit(NODE_IMAGE_EXIT.failed);
        }
      }),
  );
  return group;
}
