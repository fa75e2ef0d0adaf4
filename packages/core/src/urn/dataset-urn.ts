import { CORE_ERROR_CODES } from '../errors/codes';
import { describeValue } from '../errors/describe-value';
import { SignalFactoryError } from '../errors/signal-factory-error';

/** The parts of a dataset URN `urn:dp:<domain>:<name>[:v<major>]`. */
export interface DatasetUrnParts {
  /** Owning domain, e.g. `orders`. */
  domain: string;
  /** Dataset name inside the domain, e.g. `created`. */
  name: string;
  /** Major contract version when the URN pins one (`:v2` → 2); absent for the unversioned dataset. */
  majorVersion?: number;
}

/** Why a string is not a dataset URN; `details.problem` of `SF_ERR_URN_INVALID`. */
export type DatasetUrnProblem =
  'not-a-string' | 'too-long' | 'prefix' | 'segment-count' | 'domain' | 'name' | 'version';

/** Longest accepted URN, in characters. */
export const DATASET_URN_MAX_LENGTH = 255;
/** Longest accepted domain or name segment, in characters. */
export const DATASET_URN_SEGMENT_MAX_LENGTH = 100;
/** Largest accepted major version. */
export const DATASET_URN_MAX_MAJOR = 999_999;

const PREFIX = 'urn:dp:';
const SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;
const VERSION = /^v(0|[1-9][0-9]{0,5})$/;
const SEGMENT_RULE =
  'lowercase letters, digits, "-", "_" and "." only, starting with a letter or digit, at most 100 characters';

function fail(input: unknown, problem: DatasetUrnProblem, what: string): never {
  const shown =
    typeof input === 'string'
      ? JSON.stringify(input.length > 120 ? `${input.slice(0, 120)}…` : input)
      : describeValue(input);
  throw new SignalFactoryError(
    CORE_ERROR_CODES.URN_INVALID,
    `Invalid dataset URN ${shown}: ${what}`,
    {
      details: { problem },
    },
  );
}

function checkSegment(input: string, segment: string, problem: 'domain' | 'name'): void {
  if (segment.length === 0) fail(input, problem, `the ${problem} is empty`);
  if (segment.length > DATASET_URN_SEGMENT_MAX_LENGTH || !SEGMENT.test(segment)) {
    fail(input, problem, `the ${problem} must use ${SEGMENT_RULE}`);
  }
}

/**
 * Parses `urn:dp:<domain>:<name>[:v<major>]`. Rules: the prefix is lowercase `urn:dp:`; domain and
 * name use lowercase letters, digits, `-`, `_` and `.`, start with a letter or digit and are at most
 * 100 characters; the optional version is `v` and a decimal integer without leading zeros (0–999999);
 * the whole URN is at most 255 characters.
 * @throws SignalFactoryError `SF_ERR_URN_INVALID` with `details.problem` naming the faulty part.
 */
export function parseDatasetUrn(input: unknown): DatasetUrnParts {
  if (typeof input !== 'string') fail(input, 'not-a-string', 'expected a string');
  if (input.length > DATASET_URN_MAX_LENGTH) {
    fail(input, 'too-long', `longer than ${DATASET_URN_MAX_LENGTH} characters`);
  }
  if (!input.startsWith(PREFIX)) fail(input, 'prefix', 'must start with "urn:dp:" (lowercase)');
  const segments = input.slice(PREFIX.length).split(':');
  if (segments.length < 2 || segments.length > 3) {
    fail(input, 'segment-count', 'expected "urn:dp:<domain>:<name>" with an optional ":v<major>"');
  }
  const [domain = '', name = '', version] = segments;
  checkSegment(input, domain, 'domain');
  checkSegment(input, name, 'name');
  if (version === undefined) return { domain, name };
  const match = VERSION.exec(version);
  if (match === null) {
    fail(
      input,
      'version',
      'the version must be "v" followed by an integer without leading zeros, e.g. "v2"',
    );
  }
  return { domain, name, majorVersion: Number(match[1]) };
}

/** True when `input` is a well-formed dataset URN (see `parseDatasetUrn` for the rules). */
export function isDatasetUrn(input: unknown): input is string {
  try {
    parseDatasetUrn(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * Formats parts as a dataset URN; validates them with the same rules as `parseDatasetUrn`.
 * @throws SignalFactoryError `SF_ERR_URN_INVALID`.
 */
export function formatDatasetUrn(parts: DatasetUrnParts): string {
  if (typeof parts !== 'object' || parts === null) {
    fail(parts, 'not-a-string', 'expected {domain, name, majorVersion?}');
  }
  const { domain, name, majorVersion } = parts;
  if (typeof domain !== 'string') fail(parts, 'domain', 'the domain must be a string');
  if (typeof name !== 'string') fail(parts, 'name', 'the name must be a string');
  let urn = `${PREFIX}${domain}:${name}`;
  if (majorVersion !== undefined) {
    if (
      !Number.isSafeInteger(majorVersion) ||
      majorVersion < 0 ||
      majorVersion > DATASET_URN_MAX_MAJOR
    ) {
      fail(parts, 'version', `majorVersion must be an integer from 0 to ${DATASET_URN_MAX_MAJOR}`);
    }
    urn += `:v${majorVersion}`;
  }
  parseDatasetUrn(urn);
  return urn;
}
