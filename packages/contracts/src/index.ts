export { CONTRACT_ERROR_CODES } from './errors';
export type { ContractErrorCode, ContractProblem } from './errors';
export { CONTRACT_REASON_CODES } from './reason-codes';
export type { ContractReasonCode } from './reason-codes';
export type {
  AggregateRule,
  CompiledContract,
  OdcsContract,
  OdcsCustomProperty,
  OdcsProperty,
  OdcsQualityRule,
  OdcsSchemaObject,
  ValidationResult,
  Violation,
} from './types';
export { lintContract, loadContract, loadContractFile } from './load/load-contract';
export type { LintResult, LoadOptions } from './load/load-contract';
export { SUPPORTED_API_VERSIONS } from './load/odcs-schemas';
export { compileContract } from './compile/compile-contract';
export type { CompileOptions } from './compile/compile-contract';
export { DEFAULT_PII_CLASSIFICATIONS, STRICT_PROPERTY } from './compile/build-json-schema';
export { ContractRegistry } from './registry/contract-registry';
export type {
  ActiveVersion,
  ContractRegistryOptions,
  PublishedContract,
  RegistryValidation,
  SetActiveOptions,
} from './registry/contract-registry';
export { diffContracts } from './diff/diff-contracts';
export type { ContractChange, ContractDiff } from './diff/diff-contracts';
export { inferContract } from './infer/infer-contract';
export type { FieldConfidence, InferOptions, InferResult } from './infer/infer-contract';
export { wilsonLowerBound } from './infer/wilson';
export { CONTRACT_EXIT, runContractCommand } from './cli/run-contract-command';
export type { ContractCommandIo } from './cli/run-contract-command';
