// Public surface of the scenario module (explicit re-exports only).
export {
  FAULT_KINDS,
  PII_KINDS,
  formatPath,
  loadScenario,
  parseScenario,
  type ParseScenarioOptions,
  type ParseScenarioResult,
} from './parse-scenario';
export {
  SCENARIO_PROBLEM_CODES,
  formatScenarioProblem,
  type ScenarioProblem,
  type ScenarioProblemCode,
} from './problems';
export {
  convertValue,
  createTrafficPlan,
  expectedRecords,
  historySummary,
  type DatasetHistory,
  type HistorySummary,
  type HistoryWindow,
  type SimDeployment,
  type SimEvent,
  type SimFaultMarker,
  type SimRecord,
  type TrafficPlanOptions,
} from './traffic-plan';
export {
  causesFor,
  checkExpectations,
  latestIncidents,
  type ExpectationResult,
  type ObservedOutcome,
  type ObservedRca,
  type ObservedRootCause,
} from './check-expectations';
export { compilePattern, PatternSyntaxError, type PatternGenerator } from './regex-generator';
export { createPrng, hash32, type Prng } from './prng';
export { ibanValid, luhnValid, piiText, piiValue } from './pii-values';
export {
  formatDuration,
  formatOffset,
  parseDuration,
  parseIsoTime,
  parseRate,
  parseScenarioTime,
} from './units';
export type * from './types';
