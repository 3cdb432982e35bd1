// deploy/kubernetes/: every manifest parsed and validated against the Kubernetes API schemas of
// kubernetes-models (plus a check that no field is unknown to them: a typo like `periodSecond`
// would otherwise pass, and the API server would drop or refuse it), then read as a whole: probes
// on the admin port of the ConfigMap's routes.yaml, which `strangler check` accepts, and a grace
// period longer than the shutdown the routes.yaml asks for.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parseConfig } from '../src/config/load.js';
import { runCli } from '../src/cli/run.js';
import { adminExposureProblem } from '../src/admin/exposure.js';
import { SERVER_DEFAULTS } from '../src/routing/defaults.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const dir = path.resolve('deploy/kubernetes');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const docs = files.flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => {
  expect(d.errors, f).toEqual([]);
  return { file: f, obj: d.toJS() as Obj };
}));

const MODELS: Record<string, new (o: Obj) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 ConfigMap': ConfigMap,
  'v1 Service': Service,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
};

function validationErrors(Model: new (o: Obj) => { validate(): void }, obj: Obj): { instancePath: string; message?: string }[] {
  try {
    new Model(structuredClone(obj)).validate();
    return [];
  } catch (err) {
    return (err as { errors: { instancePath: string; message?: string }[] }).errors;
  }
}

/** Paths whose key the schema does not know: a known key put to a wrong type (true, then 0.5:
 *  one of them is wrong for every string, number, quantity, boolean, object or list) is reported
 *  at its path; an unknown one is not. */
function unknownFields(Model: new (o: Obj) => { validate(): void }, obj: Obj): string[] {
  const unknown: string[] = [];
  const walk = (node: unknown, at: (string | number)[]): void => {
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      const key = Array.isArray(node) ? Number(k) : k;
      const where = [...at, key];
      const pointer = '/' + where.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
      const known = [true, 0.5].some((probe) => {
        const copy = structuredClone(obj);
        let parent: any = copy; // eslint-disable-line @typescript-eslint/no-explicit-any
        for (const p of at) parent = parent[p];
        parent[key] = probe;
        return validationErrors(Model, copy).some((e) => e.instancePath === pointer);
      });
      if (!known && !Array.isArray(node)) unknown.push(pointer);
      walk(v, where);
    }
  };
  walk(obj, []);
  return unknown.filter((p) => p !== '/apiVersion' && p !== '/kind');
}

const byKind = (kind: string): Obj => docs.find((d) => d.obj.kind === kind)!.obj;
const deployment = byKind('Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers[0];
const configMap = byKind('ConfigMap');
const routesYaml = configMap.data['routes.yaml'] as string;
const parsed = parseConfig(routesYaml, 'routes.yaml', {});
const server = { ...SERVER_DEFAULTS, ...(parsed.ok ? parsed.config.server : {}) };
const containerPort = (name: string | number): number => (typeof name === 'number' ? name : container.ports.find((p: Obj) => p.name === name).containerPort);
const envValue = (name: string): Obj | undefined => container.env.find((e: Obj) => e.name === name);

describe('deploy/kubernetes manifests', () => {
  it.each(docs.filter((d) => d.obj.kind !== 'Kustomization').map((d) => [`${d.file}: ${d.obj.kind}`, d.obj] as const))('%s is valid against the Kubernetes API schema, with no unknown field', (_name, obj) => {
    const Model = MODELS[`${obj.apiVersion} ${obj.kind}`];
    expect(Model, `no schema for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
    expect(validationErrors(Model!, obj)).toEqual([]);
    expect(unknownFields(Model!, obj)).toEqual([]);
  });

  it('lists every manifest in kustomization.yaml, and the ConfigMap as a plain resource (edits reload, not restart)', () => {
    const k = byKind('Kustomization');
    expect(k.apiVersion).toBe('kustomize.config.k8s.io/v1beta1');
    expect([...k.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml'));
    expect(k.configMapGenerator).toBeUndefined();
    expect(k.images.map((i: Obj) => i.name)).toContain(container.image.split(':')[0]);
  });

  it('has a routes.yaml that strangler check accepts, with the settings the pods rely on', async () => {
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
    const folder = await mkdtemp(path.join(tmpdir(), 'strangler-k8s-'));
    try {
      const file = path.join(folder, 'routes.yaml');
      await writeFile(file, routesYaml);
      let out = '';
      const sink = new Writable({ write: (c, _e, cb) => void ((out += String(c)), cb()) });
      const code = await runCli(['check', file], { stdout: sink, stderr: sink, env: { ADMIN_HOST: envValue('ADMIN_HOST')!.value, ADMIN_TOKEN: 'from-the-secret' } });
      expect(code, out).toBe(0);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    expect(server.shutdownDelayMs).toBeGreaterThan(0);
  });

  it('runs 3 spread replicas, probes /healthz and /readyz on the admin port, and scrapes it', () => {
    expect(deployment.spec.replicas).toBe(3);
    const labels = pod.metadata.labels;
    for (const sel of [deployment.spec.selector.matchLabels, byKind('Service').spec.selector, byKind('PodDisruptionBudget').spec.selector.matchLabels]) {
      expect(labels).toMatchObject(sel);
    }
    expect(pod.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect(containerPort(probe.httpGet.port)).toBe(server.adminPort);
    }
    expect(Number(pod.metadata.annotations['prometheus.io/port'])).toBe(server.adminPort);
    expect(pod.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(containerPort(byKind('Service').spec.ports[0].targetPort)).toBe(server.port);
  });

  it('reaches the admin port off loopback only with ADMIN_TOKEN from a Secret', () => {
    const host = envValue('ADMIN_HOST')!.value as string;
    expect(host).toBe('0.0.0.0');
    expect(adminExposureProblem(host, undefined, 'ADMIN_HOST')).toBeDefined(); // so the token is needed...
    const token = envValue('ADMIN_TOKEN')!;
    expect(token.valueFrom.secretKeyRef).toMatchObject({ name: 'strangler-admin', key: 'token' }); // ...and comes from a Secret
    expect(token.valueFrom.secretKeyRef.optional).not.toBe(true);
  });

  it('mounts the ConfigMap as the directory STRANGLER_CONFIG lives in (no subPath: edits arrive)', () => {
    const configPath = envValue('STRANGLER_CONFIG')!.value as string;
    const volume = pod.spec.volumes.find((v: Obj) => v.configMap?.name === configMap.metadata.name);
    const mount = container.volumeMounts.find((m: Obj) => m.name === volume.name);
    expect(mount.mountPath).toBe(path.posix.dirname(configPath));
    expect(mount.subPath).toBeUndefined();
    expect(Object.keys(configMap.data)).toContain(path.posix.basename(configPath));
  });

  it('gives the shutdown its time: grace period > shutdownDelayMs + drainTimeoutMs (and the bounded pool and log closing after)', () => {
    const graceMs = pod.spec.terminationGracePeriodSeconds * 1000;
    expect(graceMs).toBeGreaterThan(server.shutdownDelayMs + server.drainTimeoutMs);
    expect(graceMs).toBeGreaterThan(server.shutdownDelayMs + 3 * server.drainTimeoutMs);
    // Readiness turns 503 at SIGTERM; the probe notices within period x threshold, inside the delay.
    const r = container.readinessProbe;
    expect(r.periodSeconds * r.failureThreshold * 1000).toBeLessThanOrEqual(server.shutdownDelayMs);
  });

  it('runs non-root on a read-only root filesystem, with resources set', () => {
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
    expect(byKind('PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });
});
