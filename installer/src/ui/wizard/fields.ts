// The wizard's screens and their fields: what each asks, which config paths
// its errors come from, its help, and when it is shown.
import { DEFAULT_KUBERNETES_VERSION, OS_CHANNELS, WEEKDAYS, type Platform } from '@strata/assets';
import { regionsOf, type Answers, type FieldId, type OfferedKey } from './answers.ts';

export const SCREEN_IDS = [
  'platform',
  'details',
  'cluster',
  'os',
  'networking',
  'access',
  'updates',
  'review',
] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];

export interface Choice {
  readonly value: string;
  readonly label: string;
  /** One line on what it means or needs. */
  readonly note?: string;
}

interface FieldBase {
  readonly id: FieldId;
  readonly label: string;
  readonly help: string;
  /** Config paths whose problems this field shows: the path itself and anything under it. */
  readonly paths: readonly string[];
  readonly visible?: (answers: Answers) => boolean;
}

export interface TextField extends FieldBase {
  readonly kind: 'text';
  readonly placeholder?: string;
}

/** A field of one entry a line (the machines), each line checked on its own. */
export interface LinesField extends FieldBase {
  readonly kind: 'lines';
  readonly placeholder: string;
}

export interface ChoiceField extends FieldBase {
  readonly kind: 'choice';
  readonly choices: (
    answers: Answers,
    offered: readonly OfferedKey[],
    identities: readonly string[],
  ) => readonly Choice[];
  /** Lay the choices out one a line, with their notes (the platform), rather than side by side. */
  readonly vertical?: boolean;
}

/** Several of a list (the zones): the answer holds the chosen values comma-separated, in the list's order. */
export interface MultiField extends FieldBase {
  readonly kind: 'multi';
  readonly choices: (answers: Answers) => readonly Choice[];
  /** What choosing none means, shown beside the keys: "at least one" where the config needs one. */
  readonly noneMeans: (answers: Answers) => string;
}

export type Field = TextField | LinesField | ChoiceField | MultiField;

export interface Screen {
  readonly id: ScreenId;
  readonly title: string;
  readonly fields: readonly Field[];
}

const PLATFORM_CHOICES: readonly Choice[] = [
  { value: 'local', label: 'local', note: 'on this machine; needs nothing else' },
  { value: 'bare-metal', label: 'bare-metal', note: 'a boot server, its client certificate, the MACs' },
  { value: 'aws', label: 'aws', note: 'AWS credentials and a Route53 zone' },
  { value: 'gcp', label: 'gcp', note: 'Google credentials, a project, a Cloud DNS zone' },
  { value: 'azure', label: 'azure', note: 'Azure credentials and a DNS zone' },
];

const isCloud = (answers: Answers): boolean => ['aws', 'gcp', 'azure'].includes(answers.platform);
const on =
  (...platforms: Platform[]) =>
  (answers: Answers): boolean =>
    platforms.includes(answers.platform);

const platformScreen: Screen = {
  id: 'platform',
  title: 'Platform',
  fields: [
    {
      id: 'platform',
      kind: 'choice',
      label: 'Platform',
      vertical: true,
      help: 'Where the cluster runs. ↑/↓ choose; the line beside each says what it needs.',
      paths: ['platform'],
      choices: () => PLATFORM_CHOICES,
    },
  ],
};

const detailsScreen: Screen = {
  id: 'details',
  title: 'Platform details',
  fields: [
    {
      id: 'apiServerPort',
      kind: 'text',
      label: 'API server port',
      help: 'The port the local API server listens on, on 127.0.0.x.',
      paths: ['local'],
      visible: on('local'),
    },
    {
      id: 'region',
      kind: 'choice',
      label: 'Region',
      help: 'The region the cluster is created in. ←/→ choose.',
      paths: ['aws.region', 'gcp.region', 'azure.location', 'aws', 'gcp', 'azure'],
      visible: isCloud,
      choices: (answers) => regionsOf(answers.platform).map((region) => ({ value: region.name, label: region.name })),
    },
    {
      id: 'zones',
      kind: 'multi',
      label: 'Zones',
      help: "The region's zones machines are spread across; more zones survive the loss of one. ↑/↓ mark a zone, Space chooses or drops it; at least one on AWS and GCP, while on Azure none pins no machine to a zone. All of the region's are chosen at first.",
      paths: ['aws.zones', 'gcp.zones', 'azure.zones'],
      visible: on('aws', 'gcp', 'azure'),
      noneMeans: (answers) => (answers.platform === 'azure' ? 'none: no zone pinning' : 'at least one'),
      choices: (answers) =>
        (regionsOf(answers.platform).find((region) => region.name === answers.region)?.zones ?? []).map((zone) => ({
          value: zone,
          label: zone,
        })),
    },
    {
      id: 'gcpProject',
      kind: 'text',
      label: 'Project ID',
      placeholder: 'my-project-123',
      help: 'The Google Cloud project the cluster is created in.',
      paths: ['gcp.project'],
      visible: on('gcp'),
    },
    {
      id: 'azureResourceGroup',
      kind: 'text',
      label: 'Resource group',
      placeholder: 'strata-demo',
      help: 'The resource group the cluster is created in.',
      paths: ['azure.resourceGroup'],
      visible: on('azure'),
    },
    {
      id: 'controllerType',
      kind: 'text',
      label: 'Controller type',
      help: 'The machine type of the controllers.',
      paths: ['aws.controllerType', 'gcp.controllerType', 'azure.controllerType'],
      visible: isCloud,
    },
    {
      id: 'bootServer',
      kind: 'text',
      label: 'Boot server URL',
      placeholder: 'http://matchbox.example.com:8080',
      help: 'Where the machines PXE-boot from (strata boot-server serve); checked live.',
      paths: ['bareMetal.bootServer', 'bareMetal'],
      visible: on('bare-metal'),
    },
    {
      id: 'bootApi',
      kind: 'text',
      label: 'Write API URL',
      placeholder: 'https://matchbox.example.com:8081 (optional here)',
      help: "The boot server's write API; with the three files below, checked live. Not part of cluster.yaml: passed to the install as --boot-api.",
      paths: [],
      visible: on('bare-metal'),
    },
    {
      id: 'bootApiCa',
      kind: 'text',
      label: 'Write API CA file',
      help: "The CA file the write API's certificate is checked against (--boot-api-ca).",
      paths: [],
      visible: on('bare-metal'),
    },
    {
      id: 'bootApiCert',
      kind: 'text',
      label: 'Client cert file',
      help: "This installer's client certificate for the write API (--boot-api-cert).",
      paths: [],
      visible: on('bare-metal'),
    },
    {
      id: 'bootApiKey',
      kind: 'text',
      label: 'Client key file',
      help: "The client certificate's private key file (--boot-api-key); only its path is kept.",
      paths: [],
      visible: on('bare-metal'),
    },
    {
      id: 'machines',
      kind: 'lines',
      label: 'Machines',
      placeholder: 'name MAC role, one a line: node1 52:54:00:a1:9c:ae controller',
      help: 'One machine a line: name, MAC, role (controller or worker). Enter adds a line; paste a whole list at once.',
      paths: ['bareMetal.machines', 'controllers.count'],
      visible: on('bare-metal'),
    },
  ],
};

const clusterScreen: Screen = {
  id: 'cluster',
  title: 'Cluster',
  fields: [
    {
      id: 'name',
      kind: 'text',
      label: 'Name',
      placeholder: 'demo',
      help: 'The cluster name: lowercase letters, digits and "-", at most 40 characters.',
      paths: ['name'],
    },
    {
      id: 'baseDomain',
      kind: 'text',
      label: 'Base DNS zone',
      help: 'The DNS zone the cluster names live under; the API is api.<name>.<zone>.',
      paths: ['baseDomain', 'apiDnsName'],
    },
    {
      id: 'controllers',
      kind: 'choice',
      label: 'Controllers',
      help: 'Each controller runs an etcd member: 3 survive the loss of one, 5 of two. ←/→ choose.',
      paths: ['controllers'],
      visible: (answers) => answers.platform !== 'bare-metal',
      choices: () => ['1', '3', '5'].map((value) => ({ value, label: value })),
    },
    {
      id: 'workers',
      kind: 'text',
      label: 'Workers',
      help: 'How many worker nodes.',
      paths: ['workerPools'],
      visible: (answers) => answers.platform !== 'bare-metal',
    },
    {
      id: 'workerType',
      kind: 'text',
      label: 'Worker type',
      help: 'The machine type of the workers.',
      paths: ['workerPools[0].instanceType'],
      visible: isCloud,
    },
  ],
};

const osScreen: Screen = {
  id: 'os',
  title: 'Operating system',
  fields: [
    {
      id: 'os',
      kind: 'choice',
      label: 'OS',
      vertical: true,
      help: 'The Container Linux every node runs, and its release channel. ↑/↓ choose.',
      paths: ['os'],
      choices: () => [
        ...OS_CHANNELS.flatcar.map((channel) => ({ value: `flatcar/${channel}`, label: `Flatcar ${channel}` })),
        { value: 'fedora-coreos/stable', label: 'Fedora CoreOS stable' },
      ],
    },
    {
      id: 'sysextSha512',
      kind: 'text',
      label: 'Kubelet sysext sha512',
      placeholder: '128 hex digits',
      help: "Every node downloads the kubelet's system extension and runs it as root: pin its sha512 (`curl -fsSL <url> | sha512sum`).",
      paths: ['kubernetesSysext'],
      visible: (answers) => answers.platform !== 'local',
    },
  ],
};

const networkingScreen: Screen = {
  id: 'networking',
  title: 'Networking',
  fields: [
    {
      id: 'podCidr',
      kind: 'text',
      label: 'Pod CIDR',
      help: 'Pod IPs come from this range; each node gets a /24. It must not overlap the services or this host’s networks.',
      paths: ['networking.podCidr'],
    },
    {
      id: 'serviceCidr',
      kind: 'text',
      label: 'Service CIDR',
      help: 'Service cluster IPs, a /12 to a /24. It must not overlap the pods or this host’s networks.',
      paths: ['networking.serviceCidr', 'networking'],
    },
  ],
};

const accessScreen: Screen = {
  id: 'access',
  title: 'Access',
  fields: [
    {
      id: 'sshKeySource',
      kind: 'choice',
      label: 'SSH public key',
      vertical: true,
      help: 'The key allowed to log in as "core" on every machine. ↑/↓ choose a key of ~/.ssh, or paste one.',
      paths: [],
      choices: (answers, offered) => [
        ...offered.map((key) => ({ value: key.path, label: key.path, note: key.line.split(/\s+/)[0] ?? '' })),
        { value: 'paste', label: 'paste a public key' },
        ...(answers.platform === 'local' ? [{ value: 'none', label: 'none (local clusters need none)' }] : []),
      ],
    },
    {
      id: 'sshKey',
      kind: 'text',
      label: 'Public key',
      placeholder: 'ssh-ed25519 AAAA… (the line of the .pub file)',
      help: 'Paste the whole line of a .pub file. A private key is refused and discarded, never shown.',
      paths: ['sshAuthorizedKeys'],
      visible: (answers) => answers.sshKeySource === 'paste',
    },
    {
      id: 'sshIdentitySource',
      kind: 'choice',
      label: 'SSH identity',
      vertical: true,
      help: 'The private key the install logs in to the controllers with, to deliver the secrets it keeps off the boot server (--ssh-identity). Its public half must be the key above. Only its path is kept; its content is never read into the wizard or shown.',
      paths: [],
      visible: on('bare-metal'),
      choices: (_answers, _offered, identities) => [
        ...identities.map((path) => ({ value: path, label: path })),
        { value: 'other', label: 'another file: type its path' },
      ],
    },
    {
      id: 'sshIdentity',
      kind: 'text',
      label: 'Identity file',
      placeholder: '/path/to/private/key',
      help: 'The private key file, readable by you alone (mode 0600), whose public half is the key above.',
      paths: [],
      visible: (answers) => answers.platform === 'bare-metal' && answers.sshIdentitySource === 'other',
    },
  ],
};

const updatesScreen: Screen = {
  id: 'updates',
  title: 'Updates',
  fields: [
    {
      id: 'maxUnavailable',
      kind: 'text',
      label: 'Max unavailable',
      help: 'How many nodes may reboot for an OS update at once: a count (1) or a percentage ("10%").',
      paths: ['updates.maxUnavailable'],
    },
    {
      id: 'windowDays',
      kind: 'text',
      label: 'Reboot days',
      placeholder: `any time; or days such as Sat,Sun (${WEEKDAYS.join(' ')})`,
      help: 'The days reboots may start on; empty lets them start any time.',
      paths: ['updates.windows', 'updates'],
    },
    {
      id: 'windowStart',
      kind: 'text',
      label: 'Window start',
      help: 'The local time the window opens, HH:MM.',
      paths: ['updates.windows[0].start'],
      visible: (answers) => answers.windowDays.trim() !== '',
    },
    {
      id: 'windowDuration',
      kind: 'text',
      label: 'Window length',
      help: 'How long the window stays open, 30m to 24h ("3h", "1h30m").',
      paths: ['updates.windows[0].duration'],
      visible: (answers) => answers.windowDays.trim() !== '',
    },
    {
      id: 'timeZone',
      kind: 'text',
      label: 'Time zone',
      help: 'The IANA time zone of the start time ("Europe/Berlin").',
      paths: ['updates.windows[0].timeZone'],
      visible: (answers) => answers.windowDays.trim() !== '',
    },
  ],
};

const reviewScreen: Screen = { id: 'review', title: 'Review', fields: [] };

export const SCREENS: readonly Screen[] = [
  platformScreen,
  detailsScreen,
  clusterScreen,
  osScreen,
  networkingScreen,
  accessScreen,
  updatesScreen,
  reviewScreen,
];

export function visibleFields(screen: Screen, answers: Answers): Field[] {
  return screen.fields.filter((field) => field.visible?.(answers) ?? true);
}

/** Every field shown for these answers, in screen order: where a config problem is placed. */
export function allVisibleFields(answers: Answers): Field[] {
  return SCREENS.flatMap((screen) => visibleFields(screen, answers));
}

export const KUBERNETES_VERSION_SHOWN = DEFAULT_KUBERNETES_VERSION;
