/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read untyped JSON (HTTP answers, AdmissionReviews). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sharedSpecPath } from '../testing/shared-specs';
import { createInjectorServer } from './injector-server';
import { SIDECAR_CONTAINER_NAME, decideAdmission, type JsonPatchOp } from './mutate-pod';

const load = (name: string): any =>
  JSON.parse(readFileSync(sharedSpecPath('k8s-admission', name), 'utf8'));
const options = { image: 'ghcr.io/signal-factory/sidecar:0.1.0', optInNamespaces: ['payments'] };

/** Applies `add` operations the way the API server does (enough for these patches). */
function applyPatch(doc: any, patch: JsonPatchOp[]): any {
  const copy = structuredClone(doc);
  for (const op of patch) {
    const parts = op.path
      .slice(1)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop() as string;
    let target = copy;
    for (const p of parts) target = target[p];
    if (Array.isArray(target) && last === '-') target.push(op.value);
    else target[last] = op.value;
  }
  return copy;
}

function withOptIn(review: any, value: string | undefined): any {
  const copy = structuredClone(review);
  copy.request.object.metadata.labels ??= {};
  if (value !== undefined) copy.request.object.metadata.labels['signal-factory.io/inject'] = value;
  return copy;
}

describe('admission decisions on the real AdmissionReview requests', () => {
  const review = load('admissionreview-v1-pod-create-unprivileged.kubewarden.json');

  it('injects the sidecar into an opted-in Pod CREATE', () => {
    const decision = decideAdmission(withOptIn(review, 'true'), options);
    expect(decision).toMatchObject({ uid: review.request.uid, allowed: true, reason: 'injected' });
    const pod = applyPatch(review.request.object, decision.patch ?? []);
    const names = pod.spec.containers.map((c: { name: string }) => c.name);
    expect(names).toEqual(['sleeping-sidecar', 'nginx', SIDECAR_CONTAINER_NAME]);
    const sidecar = pod.spec.containers.at(-1);
    expect(sidecar).toMatchObject({
      image: options.image,
      ports: [{ containerPort: 7070 }],
      readinessProbe: { httpGet: { path: '/readyz' } },
    });
    expect(sidecar.resources.limits.memory).toBeDefined();
    expect(pod.spec.containers[1].env).toContainEqual({
      name: 'SF_SIDECAR_URL',
      value: 'http://127.0.0.1:7070',
    });
    expect(pod.metadata.annotations['signal-factory.io/injected']).toBe('true');
    expect(
      pod.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    ).toBeDefined();
  });

  it('is idempotent: an injected pod is not injected again', () => {
    const first = decideAdmission(withOptIn(review, 'true'), options);
    const again = structuredClone(withOptIn(review, 'true'));
    again.request.object = applyPatch(again.request.object, first.patch ?? []);
    expect(decideAdmission(again, options)).toMatchObject({
      allowed: true,
      reason: 'already injected',
    });
    expect(decideAdmission(again, options).patch).toBeUndefined();
  });

  it('leaves opted-out and not-opted-in pods untouched; namespace opt-in works', () => {
    expect(decideAdmission(withOptIn(review, 'false'), options)).toEqual({
      uid: review.request.uid,
      allowed: true,
      reason: 'pod opted out',
    });
    expect(decideAdmission(review, options).patch).toBeUndefined();
    const privileged = load('admissionreview-v1-pod-create-privileged.kubewarden.json');
    privileged.request.namespace = 'payments';
    expect(decideAdmission(privileged, options).reason).toBe('injected');
    expect(decideAdmission(withOptIn(privileged, 'false'), options).reason).toBe('pod opted out');
  });

  it('lets non-Pod reviews through and denies malformed ones clearly', () => {
    expect(
      decideAdmission(load('k8s-docs/request-deployment-scale-update.json'), options),
    ).toMatchObject({ allowed: true, reason: 'not a Pod CREATE' });
    expect(decideAdmission(null, options)).toMatchObject({ allowed: false, status: { code: 400 } });
    expect(
      decideAdmission(
        { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'u' } },
        options,
      ),
    ).toMatchObject({
      uid: 'u',
      allowed: false,
    });
    const broken = structuredClone(review);
    broken.request.object.spec.containers = 'nope';
    expect(decideAdmission(broken, options)).toMatchObject({
      uid: review.request.uid,
      allowed: false,
      status: { code: 400, message: expect.stringContaining('spec.containers') },
    });
    const fields = load('admissionreview-v1-all-fields.k8s-api-testdata.json');
    const d = decideAdmission(fields, options);
    expect(typeof d.allowed).toBe('boolean');
  });
});

describe('injector HTTPS server', () => {
  let server: ReturnType<typeof createInjectorServer>;
  let url: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-injector-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    server = createInjectorServer({
      ...options,
      cert: readFileSync(join(dir, 'cert.pem')),
      key: readFileSync(join(dir, 'key.pem')),
      host: '127.0.0.1',
      listenPort: 0,
    });
    url = await server.listen();
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (body: string): Promise<{ status: number; json: any }> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${url}/mutate`,
        {
          method: 'POST',
          rejectUnauthorized: false,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(chunks).toString()),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('answers AdmissionReview v1 with a base64 JSONPatch echoing the uid', async () => {
    const review = withOptIn(
      load('admissionreview-v1-pod-create-unprivileged.kubewarden.json'),
      'true',
    );
    const res = await post(JSON.stringify(review));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch' },
    });
    const patch = JSON.parse(Buffer.from(res.json.response.patch, 'base64').toString());
    expect(patch[0]).toMatchObject({ op: 'add', path: '/spec/containers/-' });
  });

  it('denies a non-JSON body instead of crashing', async () => {
    const res = await post('{not json');
    expect(res.json.response).toMatchObject({
      allowed: false,
      status: { code: 400, message: 'SF_ERR_SIDECAR_ADMISSION_INVALID: body is not JSON' },
    });
  });
});
