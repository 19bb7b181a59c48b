import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { containersOf, type K8sObject, kustomize, readYamlDocuments } from './kustomize';

/**
 * Renders the base and every overlay (our kustomize subset; compared with the real `kubectl
 * kustomize` where kubectl is installed) and validates each object against the Kubernetes
 * schemas of kubernetes-models, plus the rules the contract asks for. No cluster runs here.
 */
const root = join(__dirname, '..');
const overlays = readdirSync(join(root, 'overlays'));
const targets = ['base', ...overlays.map((o) => `overlays/${o}`)];

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** Field names the compiled schema of a type knows (its validator reads `data.<field>`). */
function knownFields(schema: string): Set<string> {
  const dir = join(dirname(require.resolve('kubernetes-models/package.json')), '_schemas');
  const code = readFileSync(join(dir, `${schema}.js`), 'utf8');
  return new Set([...code.matchAll(/data\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
}
const STRICT: Array<[string, (o: K8sObject) => unknown[]]> = [
  ['IoK8sApiAppsV1DeploymentSpec', (o) => (o.kind === 'Deployment' ? [o.spec] : [])],
  ['IoK8sApiCoreV1PodSpec', (o) => podSpecsOf(o)],
  ['IoK8sApiCoreV1Container', (o) => containersOf(o)],
  [
    'IoK8sApiCoreV1Probe',
    (o) => containersOf(o).flatMap((c) => [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean)),
  ],
];

function podSpecsOf(o: K8sObject): unknown[] {
  const t = (o.spec as { template?: { spec?: unknown } } | undefined)?.template;
  return t?.spec ? [t.spec] : [];
}

/** Every problem of one object: schema violations and unknown fields (typos the schema lets through). */
export function problemsOf(o: K8sObject): string[] {
  const where = `${o.kind}/${o.metadata?.name}`;
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) return [`${where}: no schema for ${o.apiVersion} ${o.kind}`];
  const problems: string[] = [];
  try {
    new Model(o as never).validate();
  } catch (err) {
    problems.push(`${where}: ${(err as Error).message}`);
  }
  for (const [schema, pick] of STRICT) {
    const known = knownFields(schema);
    for (const part of pick(o)) {
      for (const key of Object.keys(part as object))
        if (!known.has(key)) problems.push(`${where}: unknown field ${key} (${schema})`);
    }
  }
  return problems;
}

const HEALTH: Record<string, { ready: string; live: string }> = {
  gateway: { ready: '/_gateway/readyz', live: '/_gateway/healthz' },
  'management-api': { ready: '/readyz', live: '/healthz' },
  worker: { ready: '/readyz', live: '/healthz' },
  portal: { ready: '/readyz', live: '/healthz' },
};

/**
 * Where each app listens, by its own settings (name of the variable, its default in the app's
 * config schema): the public port the probes use, and the listener that serves `/metrics`. The
 * gateway's metrics are on its admin listener (contract v1.1), bound to 127.0.0.1 unless told.
 */
const LISTENERS: Record<
  string,
  { port: [string, number]; metrics?: { port: [string, number]; host: [string, string]; path: string } }
> = {
  gateway: {
    port: ['GATEWAY_PORT', 8080],
    metrics: { port: ['GATEWAY_ADMIN_PORT', 8081], host: ['GATEWAY_ADMIN_HOST', '127.0.0.1'], path: '/metrics' },
  },
  'management-api': {
    port: ['MANAGEMENT_PORT', 3001],
    metrics: { port: ['MANAGEMENT_PORT', 3001], host: ['MANAGEMENT_HOST', '0.0.0.0'], path: '/metrics' },
  },
  worker: {
    port: ['WORKER_PORT', 3002],
    metrics: { port: ['WORKER_PORT', 3002], host: ['WORKER_HOST', '0.0.0.0'], path: '/metrics' },
  },
  portal: { port: ['PORTAL_PORT', 3000] },
};
const LOOPBACK = /^(127\.|localhost$|::1$)/;

type Container = {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
};
type PodTemplate = {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } };
};
const template = (o: K8sObject) => (o.spec as { template: PodTemplate }).template;
/** A container's literal settings: the ConfigMaps it loads, then its own env (which wins). */
function settingsOf(c: Container, objects: K8sObject[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of c.envFrom ?? []) {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === e.configMapRef?.name);
    Object.assign(out, (cm as { data?: Record<string, string> } | undefined)?.data ?? {});
  }
  for (const e of c.env ?? []) if (e.value !== undefined) out[e.name] = e.value;
  return out;
}
/** The container port a probe or annotation names (by name or number), or undefined. */
function containerPort(c: Container, port: string | number): number | undefined {
  return (c.ports ?? []).find((p) => p.name === port || p.containerPort === Number(port))?.containerPort;
}
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The contract's rules for the rendered set, as messages (empty = fine). */
export function ruleViolations(objects: K8sObject[]): string[] {
  const out: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const configMaps = new Set(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name));
  for (const o of objects) {
    if (o.kind === 'Secret') out.push(`Secret/${o.metadata.name}: secrets are referenced, never committed`);
  }
  for (const name of Object.keys(HEALTH))
    if (!deployments.some((d) => d.metadata.name === name)) out.push(`no Deployment ${name}`);
  for (const d of deployments) {
    const t = template(d);
    const health = HEALTH[d.metadata.name];
    const selector = (d.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    if (!matches(selector, t.metadata.labels)) out.push(`${d.metadata.name}: selector does not match the pod labels`);
    if (t.spec.securityContext?.runAsNonRoot !== true) out.push(`${d.metadata.name}: must run as non-root`);
    for (const c of t.spec.containers) {
      const portNames = new Set((c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
      for (const [probe, path] of [
        ['readinessProbe', health?.ready],
        ['livenessProbe', health?.live],
      ] as const) {
        const get = c[probe]?.httpGet;
        if (!get) out.push(`${d.metadata.name}/${c.name}: no ${probe}`);
        else {
          if (get.path !== path)
            out.push(`${d.metadata.name}/${c.name}: ${probe} on ${get.path}, the contract says ${path}`);
          if (!portNames.has(get.port))
            out.push(`${d.metadata.name}/${c.name}: ${probe} port ${get.port} is not a container port`);
        }
      }
      const listen = LISTENERS[d.metadata.name];
      const settings = settingsOf(c, objects);
      const setting = ([name, fallback]: [string, string | number]) => String(settings[name] ?? fallback);
      if (listen) {
        // The probes' port must be the one the app really listens on.
        const appPort = setting(listen.port);
        for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
          const port = c[probe]?.httpGet?.port;
          if (port !== undefined && String(containerPort(c, port)) !== appPort)
            out.push(`${d.metadata.name}/${c.name}: ${probe} on port ${port}, the app listens on ${appPort}`);
        }
        // Prometheus scrape annotations: on a declared port where the app serves its metrics.
        const notes = t.metadata.annotations ?? {};
        const scraped = notes['prometheus.io/scrape'] === 'true';
        if (!listen.metrics) {
          if (scraped) out.push(`${d.metadata.name}: scraped, but it serves no /metrics`);
        } else if (!scraped) out.push(`${d.metadata.name}: no prometheus.io/scrape annotation`);
        else {
          const metricsPort = setting(listen.metrics.port);
          const annotated = notes['prometheus.io/port'];
          if (annotated === undefined || containerPort(c, annotated) === undefined)
            out.push(`${d.metadata.name}/${c.name}: prometheus.io/port ${annotated} is not a container port`);
          if (annotated !== metricsPort)
            out.push(
              `${d.metadata.name}: prometheus.io/port ${annotated}, metrics are on ${metricsPort} (${listen.metrics.port[0]})`,
            );
          if (notes['prometheus.io/path'] !== listen.metrics.path)
            out.push(
              `${d.metadata.name}: prometheus.io/path ${notes['prometheus.io/path']}, metrics are at ${listen.metrics.path}`,
            );
          const host = setting(listen.metrics.host);
          if (LOOPBACK.test(host))
            out.push(
              `${d.metadata.name}: metrics bound to ${host} (${listen.metrics.host[0]}), unreachable for Prometheus`,
            );
        }
      }
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
        out.push(`${d.metadata.name}/${c.name}: cpu and memory requests needed`);
      if (!c.resources?.limits?.memory) out.push(`${d.metadata.name}/${c.name}: memory limit needed`);
      for (const e of c.envFrom ?? [])
        if (e.configMapRef && !configMaps.has(e.configMapRef.name))
          out.push(`${d.metadata.name}: ConfigMap ${e.configMapRef.name} missing`);
      for (const e of c.env ?? []) {
        if (
          /SECRET|PASSWORD|_URL$|TOKEN/.test(e.name) &&
          e.value !== undefined &&
          !/^https?:\/\/[a-z-]+(:\d+)?$/.test(e.value)
        ) {
          out.push(`${d.metadata.name}: ${e.name} has a literal value; take it from a Secret`);
        }
      }
    }
  }
  for (const s of objects.filter((o) => o.kind === 'Service')) {
    const spec = s.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string | number }> };
    const target = deployments.find((d) => matches(spec.selector, template(d).metadata.labels));
    if (!target) out.push(`Service/${s.metadata.name}: selects no Deployment`);
    else {
      const ports = new Set(
        template(target).spec.containers.flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort])),
      );
      for (const p of spec.ports)
        if (!ports.has(p.targetPort)) out.push(`Service/${s.metadata.name}: targetPort ${p.targetPort} not exposed`);
    }
  }
  const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'gateway');
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'gateway');
  if (!pdb) out.push('no PodDisruptionBudget for the gateway');
  if (!hpa) out.push('no HorizontalPodAutoscaler for the gateway');
  if (pdb && hpa) {
    const minAvailable = (pdb.spec as { minAvailable: number }).minAvailable;
    const h = hpa.spec as { minReplicas: number; maxReplicas: number; scaleTargetRef: { kind: string; name: string } };
    if (!(minAvailable < h.minReplicas))
      out.push('gateway PDB minAvailable must stay below the HPA minimum, or drains never progress');
    if (h.minReplicas > h.maxReplicas) out.push('gateway HPA minReplicas > maxReplicas');
    if (!deployments.some((d) => d.kind === h.scaleTargetRef.kind && d.metadata.name === h.scaleTargetRef.name))
      out.push('HPA targets no Deployment');
  }
  const gw = deployments.find((d) => d.metadata.name === 'gateway');
  for (const c of gw ? template(gw).spec.containers : []) {
    const workers = c.env?.find((e) => e.name === 'GATEWAY_WORKERS')?.value;
    const cpus = Math.max(1, Math.ceil(cpuCores(c.resources?.requests?.cpu ?? '0')));
    if (workers === undefined)
      out.push("gateway: GATEWAY_WORKERS must be set (its default counts the node's CPUs, not the pod's)");
    else if (!/^[1-9]\d*$/.test(workers) || Number(workers) > cpus)
      out.push(
        `gateway: GATEWAY_WORKERS=${workers} for a CPU request of ${c.resources?.requests?.cpu} (at most ${cpus})`,
      );
  }
  // The per-address login and signup limits need each browser's address: the portal forwards it
  // (server.mjs, not `next start`) and the management API believes it from in-cluster peers.
  const configData = (name: string) =>
    (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as { data?: Record<string, string> })
      ?.data ?? {};
  for (const name of ['portal', 'management-api']) {
    const d = deployments.find((x) => x.metadata.name === name);
    for (const c of d ? template(d).spec.containers : []) {
      const fromMaps = (c.envFrom ?? []).map((e) => (e.configMapRef ? configData(e.configMapRef.name) : {}));
      const trust =
        c.env?.find((e) => e.name === 'TRUST_PROXY')?.value ?? fromMaps.find((m) => m.TRUST_PROXY)?.TRUST_PROXY;
      if (!trust || trust === 'false' || trust === 'loopback')
        out.push(`${name}: TRUST_PROXY must name the in-cluster proxies (got ${trust ?? 'nothing'})`);
    }
  }
  const portal = deployments.find((d) => d.metadata.name === 'portal');
  for (const c of portal ? template(portal).spec.containers : [])
    if (!c.command?.includes('server.mjs'))
      out.push(`portal: must run server.mjs (got ${c.command?.join(' ')}), which sets X-Forwarded-For`);
  const job = objects.find((o) => o.kind === 'Job');
  if (!job || !JSON.stringify(job).includes('migrate(')) out.push('no migration Job');
  return out;
}

/** A Kubernetes CPU quantity ("500m", "2", "1.5") in cores. */
function cpuCores(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

function kubectlKustomize(dir: string): K8sObject[] | null {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
}
const hasKubectl = kubectlKustomize(join(root, 'base')) !== null;
const byKey = (objects: K8sObject[]) => Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));

describe.each(targets)('%s', (target) => {
  const objects = kustomize(join(root, target));

  it('every object is valid against the Kubernetes schemas, with no unknown fields', () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    expect(objects.flatMap(problemsOf)).toEqual([]);
  });

  it('follows the contract: probes on the health endpoints, requests, PDB + HPA, Secret references only', () => {
    expect(ruleViolations(objects)).toEqual([]);
  });

  it.skipIf(!hasKubectl)('renders the same objects as kubectl kustomize', () => {
    expect(byKey(objects)).toEqual(byKey(kubectlKustomize(join(root, target))!));
  });
});

describe('the listener defaults the rules assume', () => {
  const SOURCES: Record<string, string> = {
    gateway: 'apps/gateway/src/config/gateway.config.ts',
    'management-api': 'apps/management-api/src/config/config.schema.ts',
    worker: 'apps/worker/src/config/worker-config.ts',
  };
  it.each(Object.entries(SOURCES))("are %s's own config defaults", (app, file) => {
    const source = readFileSync(join(root, '../..', file), 'utf8');
    const m = LISTENERS[app].metrics!;
    for (const [name, fallback] of [LISTENERS[app].port, m.port, m.host]) {
      const literal = typeof fallback === 'number' ? `env.port(${fallback})` : `.default('${fallback}')`;
      expect(source).toMatch(new RegExp(`${name}: [^\\n]*${literal.replace(/[().]/g, '\\$&')}`));
    }
  });
});

describe('the external datastores overlay', () => {
  const objects = kustomize(join(root, 'overlays/external-datastores'));
  const d = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;

  it('points every Redis user at the cluster and runs migrations as the schema owner, from the Secret', () => {
    for (const name of ['gateway', 'management-api', 'worker']) {
      const env = template(d(name)).spec.containers[0].env ?? [];
      expect(env.find((e) => e.name === 'REDIS_CLUSTER_NODES')?.valueFrom?.secretKeyRef).toEqual({
        name: 'apim-secrets',
        key: 'REDIS_CLUSTER_NODES',
      });
      // The base's settings survive the patch.
      expect(env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key).toBe('DATABASE_URL');
    }
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(JSON.stringify(job)).toContain('"key":"DATABASE_MIGRATION_URL"');
    expect(objects.every((o) => o.metadata.namespace === 'apim')).toBe(true);
  });
});

describe('the checks themselves catch broken manifests', () => {
  const base = () => kustomize(join(root, 'base'));
  const gateway = (objects: K8sObject[]) =>
    objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway')!;

  it.each([
    [
      'a typo in a field name',
      (o: K8sObject[]) => {
        const c = template(gateway(o)).spec.containers[0] as Record<string, unknown>;
        c.readinesProbe = c.readinessProbe;
        delete c.readinessProbe;
      },
      /unknown field readinesProbe|no readinessProbe/,
    ],
    [
      'a string where a number goes',
      (o: K8sObject[]) => {
        (gateway(o).spec as Record<string, unknown>).replicas = '3';
      },
      /replicas must be integer/,
    ],
    [
      'a probe on the wrong path',
      (o: K8sObject[]) => {
        template(gateway(o)).spec.containers[0].livenessProbe!.httpGet!.path = '/healthz';
      },
      /livenessProbe on \/healthz, the contract says \/_gateway\/healthz/,
    ],
    [
      'no resource requests',
      (o: K8sObject[]) => {
        delete template(gateway(o)).spec.containers[0].resources!.requests;
      },
      /cpu and memory requests needed/,
    ],
    [
      'a secret value in git',
      (o: K8sObject[]) => {
        o.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'apim-secrets' },
          stringData: { KEY_HASH_SECRET: 'x' },
        } as K8sObject);
      },
      /never committed/,
    ],
    [
      'more gateway workers than CPUs requested',
      (o: K8sObject[]) => {
        template(gateway(o)).spec.containers[0].env!.find((e) => e.name === 'GATEWAY_WORKERS')!.value = '4';
      },
      /GATEWAY_WORKERS=4 for a CPU request of 500m \(at most 1\)/,
    ],
    [
      "no GATEWAY_WORKERS (all of the node's CPUs)",
      (o: K8sObject[]) => {
        const c = template(gateway(o)).spec.containers[0];
        c.env = c.env!.filter((e) => e.name !== 'GATEWAY_WORKERS');
      },
      /GATEWAY_WORKERS must be set/,
    ],
    [
      'metrics scraped on the public port (they moved to the admin listener)',
      (o: K8sObject[]) => {
        const notes = template(gateway(o)).metadata.annotations!;
        notes['prometheus.io/port'] = '8080';
        notes['prometheus.io/path'] = '/_gateway/metrics';
      },
      /prometheus.io\/port 8080, metrics are on 8081 \(GATEWAY_ADMIN_PORT\)[\s\S]*prometheus.io\/path \/_gateway\/metrics/,
    ],
    [
      'an admin port moved without its annotation',
      (o: K8sObject[]) => {
        template(gateway(o)).spec.containers[0].env!.find((e) => e.name === 'GATEWAY_ADMIN_PORT')!.value = '9091';
      },
      /prometheus.io\/port 8081, metrics are on 9091/,
    ],
    [
      'a scrape port no container declares',
      (o: K8sObject[]) => {
        const c = template(gateway(o)).spec.containers[0];
        c.ports = c.ports!.filter((p) => p.name !== 'admin');
      },
      /prometheus.io\/port 8081 is not a container port/,
    ],
    [
      'the admin listener left on loopback',
      (o: K8sObject[]) => {
        const c = template(gateway(o)).spec.containers[0];
        c.env = c.env!.filter((e) => e.name !== 'GATEWAY_ADMIN_HOST');
      },
      /metrics bound to 127.0.0.1 \(GATEWAY_ADMIN_HOST\), unreachable/,
    ],
    [
      'a probe on a port the app does not listen on',
      (o: K8sObject[]) => {
        template(gateway(o)).spec.containers[0].readinessProbe!.httpGet!.port = 'admin';
      },
      /readinessProbe on port admin, the app listens on 8080/,
    ],
    [
      'the portal on next start (it would pass a browser-chosen X-Forwarded-For on)',
      (o: K8sObject[]) => {
        const portal = o.find((x) => x.kind === 'Deployment' && x.metadata.name === 'portal')!;
        template(portal).spec.containers[0].command = ['node', 'node_modules/next/dist/bin/next', 'start'];
      },
      /portal: must run server\.mjs/,
    ],
    [
      "no TRUST_PROXY (the management API would see a portal pod's address for every browser)",
      (o: K8sObject[]) => {
        const cm = o.find((x) => x.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
        delete cm.data.TRUST_PROXY;
      },
      /management-api: TRUST_PROXY must name the in-cluster proxies/,
    ],
    [
      'a literal secret in env',
      (o: K8sObject[]) => {
        template(gateway(o)).spec.containers[0].env!.push({ name: 'KEY_HASH_SECRET', value: 'hunter2' });
      },
      /literal value/,
    ],
  ])('%s', (_, breakIt, message) => {
    const objects = base();
    breakIt(objects);
    const problems = [...objects.flatMap(problemsOf), ...ruleViolations(objects)];
    expect(problems.join('\n')).toMatch(message);
  });

  it('every YAML file parses (patches included)', () => {
    const files = [join(root, 'base'), ...overlays.map((o) => join(root, 'overlays', o))].flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(dir, f)),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(() => readYamlDocuments(f)).not.toThrow();
  });
});
