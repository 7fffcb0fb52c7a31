// Topologies shared by the e2e specs and the WebAssembly benchmark.
//
// Run directly to write the large topology as a file, or the account-sized aliyun export as a
// directory of responses:
//   node tests/e2e/fixtures.mjs target/bench/e2e-large.json
//   node tests/e2e/fixtures.mjs --aliyun target/bench/aliyun-5000

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A deterministic sglab topology of the interactive target's size: 500 endpoints, 50 groups,
 * 10,000 rules with random narrow port ranges (many more distinct port boundaries than the
 * core generator's common ports).
 */
export function largeTopology() {
  let seed = 7;
  const random = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const groups = [];
  for (let g = 0; g < 50; g++) {
    const rules = [];
    for (let r = 0; r < 200; r++) {
      const start = 1 + random(60000);
      const peerGroup = random(4) === 0;
      rules.push({
        direction: random(5) === 0 ? 'egress' : 'ingress',
        policy: random(6) === 0 ? 'drop' : 'accept',
        priority: 1 + random(100),
        protocol: random(8) === 0 ? 'udp' : 'tcp',
        port_range: `${start}/${start + random(50)}`,
        ...(peerGroup ? { group: `sg-${(g + 1 + random(49)) % 50}` } : { cidr: `10.${random(256)}.0.0/16` }),
      });
    }
    groups.push({ id: `sg-${g}`, name: `group ${g}`, vpc: 'vpc-big', type: 'basic', rules });
  }
  const endpoints = [];
  for (let e = 0; e < 500; e++) {
    const a = Math.floor(e / 250);
    endpoints.push({
      id: `i-${e}`,
      name: `node ${e}`,
      kind: 'ecs',
      private_ip: `10.0.${a}.${(e % 250) + 2}`,
      groups: [`sg-${e % 50}`, ...(e % 7 === 0 ? [`sg-${(e + 1) % 50}`] : [])],
    });
  }
  return { sglab: 1, name: 'Large generated topology', vpcs: [{ id: 'vpc-big', cidr: '10.0.0.0/8' }], security_groups: groups, endpoints };
}

/**
 * An aliyun export of an account, as `aliyun ecs Describe...` prints it: one DescribeInstances
 * response, one DescribeSecurityGroups response and one DescribeSecurityGroupAttribute response
 * per group. Each instance combines 1 to 3 groups freely (the generator's worst shape,
 * free-combos); each group has `rules / groups` rules naming the internet, the VPC, /24 blocks
 * or up to 15 other groups, with common ports and 10% random port ranges. Deterministic in
 * `seed`.
 * Returns `[{ name, text }]`.
 */
export function aliyunExport({ endpoints = 5000, groups = 500, rules = 50000, seed = 11 } = {}) {
  let state = seed;
  const random = (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
  const vpc = 'vpc-scale';
  const groupId = (g) => `sg-scale-${g}`;
  const ip = (i) => `10.${1 + Math.floor(i / 250)}.0.${(i % 250) + 4}`;
  const files = [];
  const listed = [];
  const perGroup = Math.floor(rules / groups);
  for (let g = 0; g < groups; g++) {
    const peers = Array.from({ length: 15 }, () => groupId((g + 1 + random(groups - 1)) % groups));
    const permissions = [];
    for (let r = 0; r < perGroup; r++) {
      const ingress = random(10) < 6;
      const start = 1 + random(60000);
      const kind = random(10);
      const ports = random(10) === 0 ? `${start}/${start + random(200)}` : ['22/22', '80/80', '443/443', '3306/3306', '6379/6379', '8080/8080', '8000/9000', '30000/32767'][random(8)];
      const cidr = kind < 1 ? '0.0.0.0/0' : kind < 2 ? '10.0.0.0/8' : kind < 9 ? `10.${1 + random(20)}.0.0/24` : '';
      const group = cidr === '' ? peers[random(peers.length)] : '';
      permissions.push({
        SecurityGroupRuleId: `sgr-${g}-${r}`,
        Direction: ingress ? 'ingress' : 'egress',
        Policy: random(5) === 0 ? 'Drop' : 'Accept',
        Priority: String(1 + random(100)),
        IpProtocol: random(8) === 0 ? 'UDP' : 'TCP',
        PortRange: ports,
        SourceCidrIp: ingress ? cidr : '',
        SourceGroupId: ingress ? group : '',
        DestCidrIp: ingress ? '' : cidr,
        DestGroupId: ingress ? '' : group,
        NicType: 'intranet',
        Description: '',
      });
    }
    files.push({
      name: `describe-security-group-attribute-${g}.json`,
      text: JSON.stringify({
        RequestId: `00000000-0000-0000-0000-${String(g).padStart(12, '0')}`,
        SecurityGroupId: groupId(g),
        SecurityGroupName: `scale ${g}`,
        VpcId: vpc,
        InnerAccessPolicy: random(4) === 0 ? 'Drop' : 'Accept',
        Description: '',
        Permissions: { Permission: permissions },
      }),
    });
    listed.push({ SecurityGroupId: groupId(g), SecurityGroupName: `scale ${g}`, SecurityGroupType: 'normal', VpcId: vpc, Description: '', ServiceManaged: false });
  }
  const instances = [];
  for (let i = 0; i < endpoints; i++) {
    const count = 1 + random(3);
    const own = new Set(Array.from({ length: count }, () => groupId(random(groups))));
    instances.push({
      InstanceId: `i-scale-${i}`,
      InstanceName: `node ${i}`,
      Status: 'Running',
      SecurityGroupIds: { SecurityGroupId: [...own] },
      VpcAttributes: { VpcId: vpc, VSwitchId: `vsw-${Math.floor(i / 250)}`, PrivateIpAddress: { IpAddress: [ip(i)] } },
    });
  }
  files.unshift({ name: 'describe-security-groups.json', text: JSON.stringify({ RequestId: 'groups', TotalCount: groups, SecurityGroups: { SecurityGroup: listed } }) });
  files.unshift({ name: 'describe-instances.json', text: JSON.stringify({ RequestId: 'instances', TotalCount: endpoints, Instances: { Instance: instances } }) });
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [first, second] = process.argv.slice(2);
  if (first === '--aliyun' && second) {
    // The account-sized aliyun export, one file per response, into a directory.
    await mkdir(second, { recursive: true });
    for (const { name, text } of aliyunExport()) {
      await writeFile(join(second, name), text + '\n');
    }
  } else if (first && !first.startsWith('-')) {
    await writeFile(first, JSON.stringify(largeTopology(), null, 2) + '\n');
  } else {
    console.error('usage: node tests/e2e/fixtures.mjs OUT.json | --aliyun DIR');
    process.exit(2);
  }
}
