/** Stable codes of scenario problems; users and tools match on them. */
export const SCENARIO_PROBLEM_CODES = {
  /** The file cannot be read. */
  IO: 'SF_ERR_SCENARIO_IO',
  /** Malformed YAML (or a duplicate key). */
  SYNTAX: 'SF_ERR_SCENARIO_SYNTAX',
  /** A required field is missing. */
  REQUIRED: 'SF_ERR_SCENARIO_REQUIRED',
  /** A field has the wrong type (a list where a mapping is expected, …). */
  TYPE: 'SF_ERR_SCENARIO_TYPE',
  /** A value is out of its allowed set or range. */
  VALUE: 'SF_ERR_SCENARIO_VALUE',
  /** `name` is not kebab-case. */
  NAME: 'SF_ERR_SCENARIO_NAME',
  /** A time is neither ISO-8601 nor an offset like `+58m`. */
  TIME: 'SF_ERR_SCENARIO_TIME',
  /** A duration is not like `30s`, `15m`, `2h`, `7d`. */
  DURATION: 'SF_ERR_SCENARIO_DURATION',
  /** A rate is not like `250/min`, `4/s`, `1000/h`. */
  RATE: 'SF_ERR_SCENARIO_RATE',
  /** A daily (24) or weekly (7) profile is malformed. */
  PROFILE: 'SF_ERR_SCENARIO_PROFILE',
  /** A dataset URN is malformed. */
  URN: 'SF_ERR_SCENARIO_URN',
  /** A field generator is unknown or malformed (including unsupported regex patterns). */
  GENERATOR: 'SF_ERR_SCENARIO_GENERATOR',
  /** A fault kind is unknown or its params are malformed. */
  FAULT: 'SF_ERR_SCENARIO_FAULT',
  /** The dataset's contract cannot be read, parsed, linted or compiled. */
  CONTRACT: 'SF_ERR_SCENARIO_CONTRACT',
  /** A reference to an undeclared dataset or service. */
  REFERENCE: 'SF_ERR_SCENARIO_REFERENCE',
  /** The same dataset, service or job is declared twice. */
  DUPLICATE: 'SF_ERR_SCENARIO_DUPLICATE',
  /** Expectations contradict each other. */
  CONFLICT: 'SF_ERR_SCENARIO_CONFLICT',
  /** Warning: a key this implementation does not know, close to a known one (a likely typo). */
  UNKNOWN_KEY: 'SF_ERR_SCENARIO_UNKNOWN_KEY',
  /** Warning: a version or commit written as a YAML number (quote it: `"3.10"` is not `3.1`). */
  UNQUOTED: 'SF_ERR_SCENARIO_UNQUOTED',
  /** Warning: a time outside `[start - history, start + duration]`. */
  OUT_OF_RANGE: 'SF_ERR_SCENARIO_OUT_OF_RANGE',
} as const;

export type ScenarioProblemCode =
  (typeof SCENARIO_PROBLEM_CODES)[keyof typeof SCENARIO_PROBLEM_CODES];

/** One problem found in a scenario file. */
export interface ScenarioProblem {
  code: ScenarioProblemCode;
  /** `error` makes the scenario unusable; `warning` does not. */
  severity: 'error' | 'warning';
  /** JSON path of the offending value, e.g. `datasets[0].tier` (`` for the document). */
  path: string;
  /** 1-based line in the scenario file. */
  line: number;
  /** 1-based column in the scenario file. */
  column: number;
  /** What is wrong and how to fix it. */
  message: string;
  /** The scenario file, when known. */
  file?: string;
}

/** `file:line:column path: message [code]`, one line per problem. */
export function formatScenarioProblem(problem: ScenarioProblem): string {
  const where = `${problem.file ?? '<scenario>'}:${problem.line}:${problem.column}`;
  const path = problem.path === '' ? '' : ` ${problem.path}:`;
  return `${where}${path} ${problem.severity}: ${problem.message} [${problem.code}]`;
}
