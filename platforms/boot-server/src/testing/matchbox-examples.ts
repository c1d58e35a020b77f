// A data directory shaped like the examples matchbox ships (its Flatcar
// install flow: a default "stage-0" group installing to disk, a "stage-1"
// group selecting os=installed; and an etcd node picked by UUID with
// per-node metadata), written as raw JSON text with matchbox's field names
// and omissions, so a test proves those files serve unchanged.

/** Labels of the machines the examples know. */
export const MATCHBOX_EXAMPLE_MACHINES = {
  /** Any machine: falls through to the default group. */
  anyMac: '52:54:00:a1:9c:ae',
  /** The etcd node, selected by its SMBIOS UUID. */
  node1Uuid: '16e7d8a7-bfa9-428b-9117-363341bb330b',
} as const;

const flatcarBoot = (ignitionId: string) => ({
  kernel: '/assets/flatcar/2605.6.0/flatcar_production_pxe.vmlinuz',
  initrd: ['/assets/flatcar/2605.6.0/flatcar_production_pxe_image.cpio.gz'],
  args: [
    'initrd=flatcar_production_pxe_image.cpio.gz',
    'flatcar.config.url=http://matchbox.example.com:8080/ignition?uuid=${uuid}&mac=${mac:hexhyp}',
    'flatcar.first_boot=yes',
    'console=tty0',
    'console=ttyS0',
    'flatcar.autologin',
    `strata.example=${ignitionId}`,
  ],
});

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Relative path to file text. */
export function matchboxExamples(): Readonly<Record<string, string>> {
  return {
    'profiles/flatcar-install.json': json({
      id: 'flatcar-install',
      name: 'Flatcar Linux install to disk',
      boot: flatcarBoot('install'),
      ignition_id: 'flatcar-install.ign',
    }),
    'profiles/flatcar.json': json({
      id: 'flatcar',
      name: 'Flatcar Linux',
      boot: flatcarBoot('installed'),
      ignition_id: 'flatcar.ign',
    }),
    'profiles/etcd3.json': json({
      id: 'etcd3',
      name: 'etcd3 node',
      boot: {
        kernel: '/assets/flatcar/2605.6.0/flatcar_production_pxe.vmlinuz',
        initrd: ['/assets/flatcar/2605.6.0/flatcar_production_pxe_image.cpio.gz'],
        args: [],
      },
      ignition_id: 'etcd3.tmpl',
      generic_id: 'etcd3.env',
    }),
    // The default group: no selector, metadata only.
    'groups/install.json': json({
      id: 'stage-0',
      name: 'Flatcar Linux install',
      profile: 'flatcar-install',
      metadata: {
        os_channel: 'stable',
        os_version: '2605.6.0',
        ignition_endpoint: 'http://matchbox.example.com:8080/ignition',
        baseurl: 'http://matchbox.example.com:8080/assets/flatcar',
      },
    }),
    'groups/flatcar.json': json({
      id: 'stage-1',
      name: 'Flatcar Linux',
      profile: 'flatcar',
      selector: { os: 'installed' },
      metadata: {},
    }),
    'groups/node1.json': json({
      id: 'node1',
      name: 'etcd Node 1',
      profile: 'etcd3',
      selector: { uuid: MATCHBOX_EXAMPLE_MACHINES.node1Uuid },
      metadata: {
        ipv4_address: '172.15.0.21',
        etcd_name: 'node1',
        etcd_initial_cluster: 'node1=http://172.15.0.21:2380,node2=http://172.15.0.22:2380',
        networkd: { name: 'ens3', gateway: '172.15.0.1' },
      },
    }),
    // Ignition 3.3.0 as matchbox's Flatcar examples carry it; served as 3.4.0.
    'ignition/flatcar-install.ign': json({
      ignition: { version: '3.3.0' },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAAexample core@example'] }] },
      systemd: {
        units: [
          {
            name: 'installer.service',
            enabled: true,
            contents:
              '[Unit]\nRequires=network-online.target\n[Service]\nType=simple\nExecStart=/opt/installer\n[Install]\nWantedBy=multi-user.target\n',
          },
        ],
      },
    }),
    'ignition/flatcar.ign': json({
      ignition: { version: '3.3.0' },
      passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAAexample core@example'] }] },
    }),
    // A template in the style of matchbox's etcd examples, reading group metadata.
    'ignition/etcd3.tmpl': `{
  "ignition": { "version": "3.1.0" },
  "storage": { "files": [{ "path": "/etc/hostname", "mode": 420, "contents": { "source": "data:,{{.etcd_name}}" } }] },
  "systemd": { "units": [{ "name": "etcd-member.service", "enabled": true, "dropins": [{ "name": "40-etcd-cluster.conf",
    "contents": "[Service]\\nEnvironment=ETCD_NAME={{.etcd_name}}\\nEnvironment=ETCD_INITIAL_CLUSTER={{.etcd_initial_cluster}}\\nEnvironment=ETCD_ADVERTISE_CLIENT_URLS=http://{{.ipv4_address}}:2379\\n" }] }] }
}
`,
    'generic/etcd3.env':
      'ETCD_NAME={{.etcd_name}}\nUUID={{.uuid}}\n{{if index .request.query "debug"}}DEBUG=1\n{{end}}',
  };
}
