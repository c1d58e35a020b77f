// The one command a simulated controller's sshd lets the installer run: the
// delivery of a withheld file, `sudo install -D -m <mode> /dev/stdin <path>`,
// exactly as it would run on a real Flatcar (where it writes to /). Here it
// writes under the machine's root; anything else is refused. sshd runs it as
// the ForceCommand with the client's command in SSH_ORIGINAL_COMMAND.
export const RECEIVE_SCRIPT = `#!/bin/bash
set -euo pipefail
root=$1
read -r -a words <<< "\${SSH_ORIGINAL_COMMAND:-}"
path=\${words[6]:-}
if [[ \${#words[@]} -ne 7 || \${words[0]} != sudo || \${words[1]} != install || \${words[2]} != -D \\
  || \${words[3]} != -m || ! \${words[4]} =~ ^0[0-7]{3}$ || \${words[5]} != /dev/stdin \\
  || ! $path =~ ^(/[A-Za-z0-9._-]+)+$ || "$path/" == */../* || "$path/" == */./* ]]; then
  echo "refused: this machine accepts only 'sudo install -D -m <mode> /dev/stdin <absolute path>'" >&2
  exit 126
fi
exec install -D -m "\${words[4]}" /dev/stdin "$root$path"
`;
