import { SIDECAR_ERROR_CODES } from '../errors';

/** Labels and annotations the injector reads and writes. */
export const INJECT_KEY = 'signal-factory.io/inject';
export const INJECTED_KEY = 'signal-factory.io/injected';
export const SIDECAR_CONTAINER_NAME = 'signal-factory-sidecar';

/** Options of the injected sidecar container. */
export interface InjectorOptions {
  /** Sidecar image, e.g. `ghcr.io/signal-factory/sidecar:0.1.0`. */
  image: string;
  /** Sidecar port. Default 7070. */
  port?: number;
  /** Namespaces whose pods are injected unless they opt out (the webhook's namespaceSelector normally does this). */
  optInNamespaces?: readonly string[];
  /** Extra environment for the sidecar container (Kafka brokers, registry…). */
  env?: Readonly<Record<string, string>>;
  /** Resources of the sidecar container. */
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export type JsonPatchOp = { op: 'add'; path: string; value: unknown };

export interface AdmissionDecision {
  uid: string;
  allowed: boolean;
  patch?: JsonPatchOp[];
  /** Present when denied. */
  status?: { code: number; message: string };
  /** Why the pod was (not) changed, for logs. */
  reason: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

function deny(uid: string, message: string): AdmissionDecision {
  const text = `${SIDECAR_ERROR_CODES.ADMISSION_INVALID}: ${message}`;
  return { uid, allowed: false, status: { code: 400, message: text }, reason: text };
}

function flag(meta: Record<string, unknown>, key: string): string | undefined {
  const annotations = isRecord(meta.annotations) ? meta.annotations : {};
  const labels = isRecord(meta.labels) ? meta.labels : {};
  const v = annotations[key] ?? labels[key];
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}

/** The sidecar container spec the injector adds. */
export function sidecarContainer(options: InjectorOptions): Record<string, unknown> {
  const port = options.port ?? 7070;
  return {
    name: SIDECAR_CONTAINER_NAME,
    image: options.image,
    args: ['serve'],
    ports: [{ name: 'sf-sidecar', containerPort: port, protocol: 'TCP' }],
    env: [
      // Kubelet probes reach the pod IP, so the sidecar listens on all pod interfaces; only pod-local clients use it.
      { name: 'SF_SIDECAR_HOST', value: '0.0.0.0' },
      { name: 'SF_SIDECAR_PORT', value: String(port) },
      ...Object.entries(options.env ?? {}).map(([name, value]) => ({ name, value })),
    ],
    resources: options.resources ?? {
      requests: { cpu: '100m', memory: '64Mi' },
      limits: { cpu: '1', memory: '192Mi' },
    },
    readinessProbe: { httpGet: { path: '/readyz', port }, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 10, failureThreshold: 3 },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };
}

/**
 * Decides one AdmissionReview v1 request: Pod CREATE that opts in (pod label/annotation
 * `signal-factory.io/inject: "true"`, or a namespace in `optInNamespaces`) gets a JSONPatch adding
 * the sidecar and `SF_SIDECAR_URL` for the app containers. Opted-out (`"false"`) and already
 * injected pods are allowed untouched; malformed reviews are denied with a clear message.
 */
export function decideAdmission(review: unknown, options: InjectorOptions): AdmissionDecision {
  if (!isRecord(review)) return deny('', 'body is not an AdmissionReview object');
  const request = review.request;
  const uid = isRecord(request) && typeof request.uid === 'string' ? request.uid : '';
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    return deny(uid, 'expected apiVersion admission.k8s.io/v1 and kind AdmissionReview');
  }
  if (!isRecord(request) || uid === '') return deny(uid, 'request.uid is missing');
  const kind = isRecord(request.kind) ? request.kind : {};
  if (kind.kind !== 'Pod' || request.operation !== 'CREATE') {
    return { uid, allowed: true, reason: 'not a Pod CREATE' };
  }
  const pod = request.object;
  if (!isRecord(pod) || !isRecord(pod.spec) || !Array.isArray(pod.spec.containers)) {
    return deny(uid, 'request.object is not a Pod with spec.containers');
  }
  const meta = isRecord(pod.metadata) ? pod.metadata : {};
  const containers = pod.spec.containers as unknown[];
  if (containers.some((c) => !isRecord(c) || typeof c.name !== 'string'))
    return deny(uid, 'every container needs a name');
  const choice = flag(meta, INJECT_KEY);
  if (choice === 'false' || choice === 'disabled')
    return { uid, allowed: true, reason: 'pod opted out' };
  if (
    flag(meta, INJECTED_KEY) === 'true' ||
    containers.some((c) => (c as { name: string }).name === SIDECAR_CONTAINER_NAME)
  ) {
    return { uid, allowed: true, reason: 'already injected' };
  }
  const namespace =
    typeof request.namespace === 'string'
      ? request.namespace
      : typeof meta.namespace === 'string'
        ? meta.namespace
        : '';
  const optedIn =
    choice === 'true' ||
    choice === 'enabled' ||
    (options.optInNamespaces ?? []).includes(namespace);
  if (!optedIn) return { uid, allowed: true, reason: 'not opted in' };

  const port = options.port ?? 7070;
  const patch: JsonPatchOp[] = [
    { op: 'add', path: '/spec/containers/-', value: sidecarContainer(options) },
  ];
  const urlEnv = { name: 'SF_SIDECAR_URL', value: `http://127.0.0.1:${port}` };
  containers.forEach((raw, i) => {
    const c = raw as Record<string, unknown>;
    if (!Array.isArray(c.env))
      patch.push({ op: 'add', path: `/spec/containers/${i}/env`, value: [urlEnv] });
    else if (!c.env.some((e) => isRecord(e) && e.name === urlEnv.name))
      patch.push({ op: 'add', path: `/spec/containers/${i}/env/-`, value: urlEnv });
  });
  if (!isRecord(pod.metadata))
    patch.push({
      op: 'add',
      path: '/metadata',
      value: { annotations: { [INJECTED_KEY]: 'true' } },
    });
  else if (!isRecord(meta.annotations))
    patch.push({ op: 'add', path: '/metadata/annotations', value: { [INJECTED_KEY]: 'true' } });
  else
    patch.push({
      op: 'add',
      path: `/metadata/annotations/${escapePointer(INJECTED_KEY)}`,
      value: 'true',
    });
  return { uid, allowed: true, patch, reason: 'injected' };
}

/** The AdmissionReview v1 response body for a decision. */
export function admissionResponse(decision: AdmissionDecision): Record<string, unknown> {
  const response: Record<string, unknown> = { uid: decision.uid, allowed: decision.allowed };
  if (decision.patch !== undefined) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(decision.patch)).toString('base64');
  }
  if (decision.status !== undefined) response.status = decision.status;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
