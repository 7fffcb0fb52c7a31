// Topologies shared by the e2e specs and the WebAssembly benchmark.
//
// Run directly to write the large topology as a file:
//   node tests/e2e/fixtures.mjs target/bench/e2e-large.json

import { writeFile } from 'node:fs/promises';
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node tests/e2e/fixtures.mjs OUT.json');
    process.exit(2);
  }
  await writeFile(out, JSON.stringify(largeTopology(), null, 2) + '\n');
}
