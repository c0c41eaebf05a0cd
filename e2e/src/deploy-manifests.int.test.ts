// Structural checks of deploy/: the compose file (services, pinned images, healthchecks, named
// volumes, every ${VAR} defined in .env.example, bind mounts that exist), the systemd units
// (systemd-analyze verify, hardening directives), the Kubernetes manifests (schema-checked by kind,
// selectors that match, kustomize overlays built with kubectl when installed) and the Dockerfiles
// (multi-stage, pinned bases, non-root). No Docker and no cluster here: nothing is started.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
const read = (p: string): string => readFileSync(join(DEPLOY, p), 'utf8');
const pinned = (image: string): boolean => /^[\w./-]+:[\w.-]+$/.test(image) && !image.endsWith(':latest');

describe('deploy/compose', () => {
  const compose = parse(read('compose/compose.yaml')) as {
    services: Record<
      string,
      {
        image: string;
        healthcheck?: { test: string[] };
        volumes?: string[];
        depends_on?: Record<string, { condition: string }>;
        environment?: Record<string, string>;
      }
    >;
    volumes: Record<string, unknown>;
  };
  const envExample = new Map(
    read('compose/.env.example')
      .split('\n')
      .filter((l) => /^\w+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  it('runs ClickHouse, the collector, Grafana, Prometheus and Alertmanager', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'clickhouse', 'collector', 'grafana', 'prometheus']);
  });

  it.each(['alertmanager', 'clickhouse', 'collector', 'grafana', 'prometheus'])('%s has a pinned image and a healthcheck', (name) => {
    const s = compose.services[name];
    const image = s?.image.startsWith('${') ? (envExample.get(s.image.slice(2, -1)) ?? '') : (s?.image ?? '');
    expect(pinned(image), image).toBe(true);
    expect(s?.healthcheck?.test[0]).toMatch(/^CMD(-SHELL)?$/);
  });

  it('defines every variable it uses in .env.example', () => {
    const text = read('compose/compose.yaml');
    const used = new Set([...text.matchAll(/(?<!\$)\$\{(\w+)(?::?[-?][^}]*)?\}/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(5);
    for (const v of used) expect(envExample.has(v ?? ''), `${v} missing from .env.example`).toBe(true);
  });

  it('declares its named volumes and mounts files that exist', () => {
    for (const s of Object.values(compose.services)) {
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0] ?? '';
        if (src.startsWith('.')) expect(existsSync(join(DEPLOY, 'compose', src)), src).toBe(true);
        else expect(Object.keys(compose.volumes), src).toContain(src);
      }
    }
  });

  it('starts services only after the ones they need are healthy', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [dep, cond] of Object.entries(s.depends_on ?? {})) {
        expect(cond.condition, `${name} -> ${dep}`).toBe('service_healthy');
        expect(compose.services[dep]?.healthcheck).toBeDefined();
      }
    }
    expect(compose.services.grafana?.environment?.GF_INSTALL_PLUGINS).toBe('${GRAFANA_PLUGINS}');
    expect(envExample.get('GRAFANA_PLUGINS')).toContain('grafana-clickhouse-datasource');
  });

  it('gives Grafana every variable its provisioning files use', () => {
    const prov = readFileSync(join(ROOT, 'grafana/provisioning/datasources/renderwatch.yaml'), 'utf8')
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('\n');
    const used = [...prov.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] ?? '');
    expect(used.length).toBeGreaterThan(3);
    for (const v of used) expect(Object.keys(compose.services.grafana?.environment ?? {})).toContain(v);
  });
});

describe('deploy/systemd', () => {
  const units = ['renderwatch-agent.service', 'renderwatch-collector.service'];
  it('passes systemd-analyze verify with no warnings', () => {
    const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => `./${u}`)], { cwd: join(DEPLOY, 'systemd'), encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(units)('%s runs hardened as a dedicated user', (u) => {
    const text = read(`systemd/${u}`);
    for (const line of [
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=',
      'PrivateTmp=yes',
      'RestrictSUIDSGID=yes',
      'SystemCallFilter=@system-service',
    ]) {
      expect(text.split('\n'), line).toContain(line);
    }
    expect(text).toMatch(/^User=renderwatch(-agent)?$/m);
  });

  it('lets the agent reach the NVIDIA devices, write only its state and read the logs', () => {
    const text = read('systemd/renderwatch-agent.service');
    expect(text).toContain('DevicePolicy=closed');
    expect(text).toContain('DeviceAllow=char-nvidia-frontend rw');
    expect(text).toContain('ReadWritePaths=/var/lib/renderwatch-agent');
    expect(text).toContain('ProtectHome=read-only');
    expect(text).not.toMatch(/^PrivateDevices=yes/m);
  });

  it('scores OK in systemd-analyze security', () => {
    for (const u of units) {
      const r = spawnSync('systemd-analyze', ['security', '--offline=yes', `./${u}`], { cwd: join(DEPLOY, 'systemd'), encoding: 'utf8' });
      const score = Number(/exposure level for [\w.-]+: ([\d.]+)/.exec(r.stdout)?.[1]);
      expect(score, u).toBeLessThan(3);
    }
  });
});

const Meta = z.object({ name: z.string().regex(/^[a-z0-9-]+$/), labels: z.record(z.string(), z.string()).optional() });
const Container = z.object({
  name: z.string(),
  image: z.string().refine(pinned, 'pinned image'),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number().int() })).min(1),
  readinessProbe: z.object({ httpGet: z.object({ path: z.string(), port: z.string() }) }),
  livenessProbe: z.object({ httpGet: z.object({ path: z.string(), port: z.string() }) }),
  resources: z.object({ requests: z.record(z.string(), z.string()), limits: z.object({ memory: z.string() }) }),
  securityContext: z.object({
    allowPrivilegeEscalation: z.literal(false),
    readOnlyRootFilesystem: z.literal(true),
    capabilities: z.object({ drop: z.tuple([z.literal('ALL')]) }),
  }),
});
const PodSpec = z.object({
  securityContext: z.object({ runAsNonRoot: z.literal(true), runAsUser: z.number().int().positive() }),
  containers: z.array(Container).length(1),
  volumes: z.array(z.object({ name: z.string() })),
});
const Workload = z.object({
  metadata: Meta,
  spec: z.object({
    selector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
    template: z.object({ metadata: z.object({ labels: z.record(z.string(), z.string()) }), spec: PodSpec }),
  }),
});
const SCHEMAS: Record<string, z.ZodType> = {
  Namespace: z.object({ apiVersion: z.literal('v1'), metadata: Meta }),
  Secret: z.object({ apiVersion: z.literal('v1'), metadata: Meta, type: z.literal('Opaque'), stringData: z.record(z.string(), z.string()) }),
  ConfigMap: z.object({ apiVersion: z.literal('v1'), metadata: Meta, data: z.record(z.string(), z.string()) }),
  Deployment: Workload.extend({ apiVersion: z.literal('apps/v1'), spec: Workload.shape.spec.extend({ replicas: z.number().int().min(2) }) }),
  DaemonSet: Workload.extend({ apiVersion: z.literal('apps/v1') }),
  Service: z.object({
    apiVersion: z.literal('v1'),
    metadata: Meta,
    spec: z.object({
      selector: z.record(z.string(), z.string()),
      ports: z.array(z.object({ name: z.string(), port: z.number(), targetPort: z.string() })).min(1),
    }),
  }),
  PodDisruptionBudget: z.object({
    apiVersion: z.literal('policy/v1'),
    metadata: Meta,
    spec: z.object({ minAvailable: z.number(), selector: z.object({ matchLabels: z.record(z.string(), z.string()) }) }),
  }),
};

type Doc = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> } & Record<string, unknown>;

describe('deploy/k8s', () => {
  const kustomization = parse(read('k8s/base/kustomization.yaml')) as { resources: string[]; namespace: string };
  const docs: Doc[] = kustomization.resources.flatMap((f) => parseAllDocuments(read(`k8s/base/${f}`)).map((d) => d.toJS() as Doc));
  const byKind = (kind: string, name: string): Doc | undefined => docs.find((d) => d.kind === kind && d.metadata.name === name);

  it('lists only files that exist and puts everything in the renderwatch namespace', () => {
    expect(kustomization.namespace).toBe('renderwatch');
    for (const f of kustomization.resources) expect(existsSync(join(DEPLOY, 'k8s/base', f)), f).toBe(true);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'ConfigMap/renderwatch-agent',
      'ConfigMap/renderwatch-collector',
      'ConfigMap/renderwatch-slos',
      'DaemonSet/renderwatch-agent',
      'Deployment/renderwatch-collector',
      'Namespace/renderwatch',
      'PodDisruptionBudget/renderwatch-collector',
      'Secret/renderwatch-agent',
      'Secret/renderwatch-collector',
      'Service/renderwatch-collector',
    ]);
  });

  it.each(['Namespace', 'Secret', 'ConfigMap', 'Deployment', 'DaemonSet', 'Service', 'PodDisruptionBudget'])('every %s matches its schema', (kind) => {
    const schema = SCHEMAS[kind];
    for (const d of docs.filter((x) => x.kind === kind)) {
      const r = schema?.safeParse(d);
      expect(r?.success, `${kind}/${d.metadata.name}: ${JSON.stringify(r?.error?.issues)}`).toBe(true);
    }
  });

  it('selects pods by the labels the pod templates carry', () => {
    const dep = Workload.parse(byKind('Deployment', 'renderwatch-collector'));
    const ds = Workload.parse(byKind('DaemonSet', 'renderwatch-agent'));
    for (const w of [dep, ds]) expect(w.spec.template.metadata.labels).toMatchObject(w.spec.selector.matchLabels);
    const svc = SCHEMAS.Service?.parse(byKind('Service', 'renderwatch-collector')) as {
      spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
    };
    expect(dep.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    const portNames = dep.spec.template.spec.containers[0]?.ports.map((p) => p.name);
    for (const p of svc.spec.ports) expect(portNames).toContain(p.targetPort);
    const pdb = byKind('PodDisruptionBudget', 'renderwatch-collector') as unknown as { spec: { selector: { matchLabels: Record<string, string> } } };
    expect(dep.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
  });

  it('schedules the agent on GPU nodes with the NVIDIA runtime, the node name and read-only log host paths', () => {
    const ds = byKind('DaemonSet', 'renderwatch-agent') as unknown as {
      spec: {
        template: {
          spec: Record<string, unknown> & {
            containers: {
              env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
              volumeMounts: { name: string; readOnly?: boolean }[];
              ports: { name: string; containerPort: number }[];
            }[];
            volumes: { name: string; hostPath?: { path: string } }[];
            tolerations: { key: string }[];
          };
        };
      };
    };
    const pod = ds.spec.template.spec;
    expect(pod.runtimeClassName).toBe('nvidia');
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(pod.tolerations.map((t) => t.key)).toContain('nvidia.com/gpu');
    const c = pod.containers[0];
    expect(c?.env.find((e) => e.name === 'AGENT_HOSTNAME')?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
    expect(c?.ports).toEqual([{ name: 'metrics', containerPort: 9477, protocol: 'TCP' }]);
    expect(c?.volumeMounts.find((m) => m.name === 'runtime-logs')?.readOnly).toBe(true);
    expect(pod.volumes.find((v) => v.name === 'runtime-logs')?.hostPath?.path).toBe('/srv/runtime-logs');
    const cm = byKind('ConfigMap', 'renderwatch-agent') as unknown as { data: Record<string, string> };
    expect(cm.data.AGENT_METRICS_PORT).toBe('9477');
  });

  it('ships an SLO file in the format of the collector default', () => {
    const cm = byKind('ConfigMap', 'renderwatch-slos') as unknown as { data: Record<string, string> };
    const slos = parse(cm.data['slos.yaml'] ?? '') as { version: string; slos: { name: string; indicator: { kind: string } }[] };
    const defaults = parse(readFileSync(join(ROOT, 'collector/slo/default-slos.yaml'), 'utf8')) as typeof slos;
    expect(slos.version).toBe(defaults.version);
    const kinds = new Set(defaults.slos.map((s) => s.indicator.kind));
    for (const s of slos.slos) expect(kinds.has(s.indicator.kind), s.indicator.kind).toBe(true);
  });

  it.each(['dev', 'production'])('overlay %s refers to the base and to files that exist or have an example', (o) => {
    const k = parse(read(`k8s/overlays/${o}/kustomization.yaml`)) as { resources: string[]; secretGenerator?: { envs?: string[]; files?: string[] }[] };
    expect(k.resources).toEqual(['../../base']);
    for (const g of k.secretGenerator ?? []) {
      for (const f of [...(g.envs ?? []), ...(g.files ?? [])]) {
        const dir = join(DEPLOY, 'k8s/overlays', o);
        expect(existsSync(join(dir, `${f}.example`)) || readFileSync(join(dir, '.gitignore'), 'utf8').includes(f), f).toBe(true);
      }
    }
  });

  it.runIf(existsSync('/usr/bin/kubectl'))('builds the dev overlay with kubectl kustomize (one collector replica, no PDB)', () => {
    const r = spawnSync('/usr/bin/kubectl', ['kustomize', join(DEPLOY, 'k8s/overlays/dev')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc);
    expect(out.find((d) => d.kind === 'Deployment')?.spec?.replicas).toBe(1);
    expect(out.some((d) => d.kind === 'PodDisruptionBudget')).toBe(false);
    expect(out.every((d) => d.kind === 'Namespace' || (d.metadata as { namespace?: string }).namespace === 'renderwatch')).toBe(true);
  });
});

describe('deploy/docker', () => {
  const files = readdirSync(join(DEPLOY, 'docker')).filter((f) => f.endsWith('.Dockerfile'));
  it('has a Dockerfile for the agent and one for the collector', () => {
    expect(files.sort()).toEqual(['agent.Dockerfile', 'collector.Dockerfile']);
  });

  it.each(files)('%s is multi-stage on pinned bases and runs as a non-root user', (f) => {
    const lines = read(`docker/${f}`)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const known = /^(FROM|RUN|COPY|ENV|WORKDIR|USER|EXPOSE|HEALTHCHECK|ENTRYPOINT|CMD|ARG|LABEL| |\s)/;
    for (const l of lines) expect(known.test(l), l).toBe(true);
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const l of froms) expect(pinned(l.split(/\s+/)[1] ?? ''), l).toBe(true);
    const lastFrom = lines.lastIndexOf(froms.at(-1) ?? '');
    const users = lines.slice(lastFrom).filter((l) => l.startsWith('USER '));
    expect(users.length).toBe(1);
    expect(users[0]).not.toMatch(/^USER (root|0)\b/);
    expect(lines.some((l) => l.startsWith('HEALTHCHECK '))).toBe(true);
    expect(lines.some((l) => /^ADD\s+https?:/.test(l))).toBe(false);
  });
});
