export { INCIDENT_ERROR_CODES, type IncidentErrorCode } from './errors';
export { IncidentManager } from './incident-manager';
export type { IncidentManagerOptions } from './options';
export { DEFAULT_SEVERITY_TABLE, severityFor, worseSeverity, type SeverityTable } from './severity';
export {
  INCIDENTS_GROUP_ID,
  INCIDENTS_TOPIC,
  INCIDENT_TRANSITION_HEADER,
  SIGNALS_TOPIC,
  type HandleSignalResult,
  type IncidentChange,
  type IncidentDatasetInfo,
  type IncidentLineage,
  type IncidentManagerStats,
  type SeverityOverrides,
} from './types';
export { incidentDatasetInfoFrom } from './dataset-info';
