// Generated from schemas/openlineage/facets (OpenLineage facet schemas, Apache-2.0). Do not edit by hand.

import baseSubsetDatasetFacet from '../../schemas/openlineage/facets/BaseSubsetDatasetFacet.json';
import catalogDatasetFacet from '../../schemas/openlineage/facets/CatalogDatasetFacet.json';
import columnLineageDatasetFacet from '../../schemas/openlineage/facets/ColumnLineageDatasetFacet.json';
import dataQualityAssertionsDatasetFacet from '../../schemas/openlineage/facets/DataQualityAssertionsDatasetFacet.json';
import dataQualityMetricsDatasetFacet from '../../schemas/openlineage/facets/DataQualityMetricsDatasetFacet.json';
import dataQualityMetricsInputDatasetFacet from '../../schemas/openlineage/facets/DataQualityMetricsInputDatasetFacet.json';
import datasetTypeDatasetFacet from '../../schemas/openlineage/facets/DatasetTypeDatasetFacet.json';
import datasetVersionDatasetFacet from '../../schemas/openlineage/facets/DatasetVersionDatasetFacet.json';
import datasourceDatasetFacet from '../../schemas/openlineage/facets/DatasourceDatasetFacet.json';
import documentationDatasetFacet from '../../schemas/openlineage/facets/DocumentationDatasetFacet.json';
import documentationJobFacet from '../../schemas/openlineage/facets/DocumentationJobFacet.json';
import environmentVariablesRunFacet from '../../schemas/openlineage/facets/EnvironmentVariablesRunFacet.json';
import errorMessageRunFacet from '../../schemas/openlineage/facets/ErrorMessageRunFacet.json';
import executionParametersRunFacet from '../../schemas/openlineage/facets/ExecutionParametersRunFacet.json';
import externalQueryRunFacet from '../../schemas/openlineage/facets/ExternalQueryRunFacet.json';
import extractionErrorRunFacet from '../../schemas/openlineage/facets/ExtractionErrorRunFacet.json';
import hierarchyDatasetFacet from '../../schemas/openlineage/facets/HierarchyDatasetFacet.json';
import inputStatisticsInputDatasetFacet from '../../schemas/openlineage/facets/InputStatisticsInputDatasetFacet.json';
import jobDependenciesRunFacet from '../../schemas/openlineage/facets/JobDependenciesRunFacet.json';
import jobTypeJobFacet from '../../schemas/openlineage/facets/JobTypeJobFacet.json';
import lifecycleStateChangeDatasetFacet from '../../schemas/openlineage/facets/LifecycleStateChangeDatasetFacet.json';
import lineageFacet from '../../schemas/openlineage/facets/LineageFacet.json';
import nominalTimeRunFacet from '../../schemas/openlineage/facets/NominalTimeRunFacet.json';
import outputStatisticsOutputDatasetFacet from '../../schemas/openlineage/facets/OutputStatisticsOutputDatasetFacet.json';
import ownershipDatasetFacet from '../../schemas/openlineage/facets/OwnershipDatasetFacet.json';
import ownershipJobFacet from '../../schemas/openlineage/facets/OwnershipJobFacet.json';
import parentRunFacet from '../../schemas/openlineage/facets/ParentRunFacet.json';
import processingEngineRunFacet from '../../schemas/openlineage/facets/ProcessingEngineRunFacet.json';
import sQLJobFacet from '../../schemas/openlineage/facets/SQLJobFacet.json';
import schemaDatasetFacet from '../../schemas/openlineage/facets/SchemaDatasetFacet.json';
import sourceCodeJobFacet from '../../schemas/openlineage/facets/SourceCodeJobFacet.json';
import sourceCodeLocationJobFacet from '../../schemas/openlineage/facets/SourceCodeLocationJobFacet.json';
import storageDatasetFacet from '../../schemas/openlineage/facets/StorageDatasetFacet.json';
import symlinksDatasetFacet from '../../schemas/openlineage/facets/SymlinksDatasetFacet.json';
import tagsDatasetFacet from '../../schemas/openlineage/facets/TagsDatasetFacet.json';
import tagsJobFacet from '../../schemas/openlineage/facets/TagsJobFacet.json';
import tagsRunFacet from '../../schemas/openlineage/facets/TagsRunFacet.json';
import testRunFacet from '../../schemas/openlineage/facets/TestRunFacet.json';

/** Every standard facet schema, registered by `$id` so their absolute `$ref`s resolve offline. */
export const FACET_SCHEMAS: readonly Record<string, unknown>[] = [
  baseSubsetDatasetFacet,
  catalogDatasetFacet,
  columnLineageDatasetFacet,
  dataQualityAssertionsDatasetFacet,
  dataQualityMetricsDatasetFacet,
  dataQualityMetricsInputDatasetFacet,
  datasetTypeDatasetFacet,
  datasetVersionDatasetFacet,
  datasourceDatasetFacet,
  documentationDatasetFacet,
  documentationJobFacet,
  environmentVariablesRunFacet,
  errorMessageRunFacet,
  executionParametersRunFacet,
  externalQueryRunFacet,
  extractionErrorRunFacet,
  hierarchyDatasetFacet,
  inputStatisticsInputDatasetFacet,
  jobDependenciesRunFacet,
  jobTypeJobFacet,
  lifecycleStateChangeDatasetFacet,
  lineageFacet,
  nominalTimeRunFacet,
  outputStatisticsOutputDatasetFacet,
  ownershipDatasetFacet,
  ownershipJobFacet,
  parentRunFacet,
  processingEngineRunFacet,
  sQLJobFacet,
  schemaDatasetFacet,
  sourceCodeJobFacet,
  sourceCodeLocationJobFacet,
  storageDatasetFacet,
  symlinksDatasetFacet,
  tagsDatasetFacet,
  tagsJobFacet,
  tagsRunFacet,
  testRunFacet,
];
