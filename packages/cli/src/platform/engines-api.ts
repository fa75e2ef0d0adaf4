// The names of @signal-factory/engines the platform wires (one import site for the package).
export {
  IncidentManager,
  LineageSignatureWriter,
  createContractEngine,
  createDataQualityEngine,
  createDatasetCatalog,
  createEngineRuntime,
  createFreshnessEngine,
  createSchemaDriftEngine,
  createVolumeEngine,
  runEnginesCommand,
  type DatasetDefinitionInput,
  type DatasetSloInput,
  type DqRule,
  type EngineRuntime,
} from '@signal-factory/engines';
