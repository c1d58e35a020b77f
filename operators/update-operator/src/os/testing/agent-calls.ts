// Run as a separate process (under another uid, by a test): makes the calls the
// agent makes through its D-Bus adapter, and one it never makes, and prints
// each outcome as one JSON line, so that a test can see what the bus's policy
// allowed that user. Arguments: the bus address and the host root.
import { DbusOperatingSystem } from '../dbus-operating-system.ts';

const [busAddress, root] = process.argv.slice(2);
const outcome = async (call: () => Promise<unknown>): Promise<string> => {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};
const os = await DbusOperatingSystem.connect({
  ...(busAddress === undefined ? {} : { busAddress }),
  ...(root === undefined ? {} : { root }),
  callTimeoutMs: 5_000,
});
try {
  const outcomes = {
    uid: process.getuid?.(),
    getStatus: await outcome(() => os.updateEngine.getStatus()),
    reboot: await outcome(() => os.reboot()),
    attemptUpdate: await outcome(() => os.updateEngine.attemptUpdate()),
  };
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
} finally {
  await os.close();
}
