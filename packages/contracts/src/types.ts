/**
 * The parts of an ODCS v3 document this package reads. Every object keeps its other fields
 * (index signatures): a loaded contract is the parsed document, unchanged.
 */

export interface OdcsCustomProperty {
  property: string;
  value?: unknown;
  description?: string;
}

export interface OdcsQualityRule {
  type?: 'library' | 'text' | 'sql' | 'custom' | string;
  metric?: string;
  /** ODCS v3.0 spelling of `metric`. */
  rule?: string;
  arguments?: Record<string, unknown>;
  mustBe?: unknown;
  mustNotBe?: unknown;
  mustBeGreaterThan?: number;
  mustBeGreaterOrEqualTo?: number;
  mustBeGreaterThanOrEqualTo?: number;
  mustBeLessThan?: number;
  mustBeLessOrEqualTo?: number;
  mustBeLessThanOrEqualTo?: number;
  mustBeBetween?: [number, number];
  mustNotBeBetween?: [number, number];
  unit?: 'rows' | 'percent' | string;
  query?: string;
  engine?: string;
  implementation?: unknown;
  description?: string;
  dimension?: string;
  severity?: string;
  name?: string;
  [key: string]: unknown;
}

export interface OdcsProperty {
  name?: string;
  logicalType?: string;
  physicalType?: string;
  required?: boolean;
  unique?: boolean;
  primaryKey?: boolean;
  classification?: string;
  logicalTypeOptions?: Record<string, unknown>;
  properties?: OdcsProperty[];
  items?: OdcsProperty;
  quality?: OdcsQualityRule[];
  customProperties?: OdcsCustomProperty[];
  description?: string;
  [key: string]: unknown;
}

export interface OdcsSchemaObject extends OdcsProperty {
  name: string;
  physicalName?: string;
}

export interface OdcsContract {
  apiVersion: string;
  kind: 'DataContract';
  id: string;
  version: string;
  status: string;
  name?: string;
  domain?: string;
  schema?: OdcsSchemaObject[];
  customProperties?: OdcsCustomProperty[];
  [key: string]: unknown;
}

/** One field-level violation of a record; never carries the record's value. */
export interface Violation {
  /** A reason code such as `MISSING_FIELD`. */
  code: string;
  /** The field path with dots and `[]` for array items; empty for the record itself. */
  path: string;
  /** What the contract expects (a kind, a format name, a bound), never record data. */
  expected?: string;
  /** The kind of value found (`string`, `null`, `array`…), never the value. */
  actual?: string;
}

export interface ValidationResult {
  valid: boolean;
  /** Distinct `CODE:field_path` strings in the order found. Treat as read-only: results may be shared and frozen. */
  reasonCodes: string[];
  /** Treat as read-only: results may be shared and frozen. */
  violations: Violation[];
}

/** A rule that can only be judged over many records; the DQ engine evaluates it. */
export interface AggregateRule {
  /** `nullValues`, `missingValues`, `invalidValues`, `duplicateValues`, `rowCount`, `unique`, or the quality `type` (`sql`, `custom`, `text`). */
  kind: string;
  /** Field path the rule is about; absent for rules about the whole schema object. */
  path?: string;
  /** The comparison, e.g. `{ operator: 'mustBeLessThan', value: 1 }`. */
  threshold?: { operator: string; value: unknown };
  /** `rows` (default) or `percent`. */
  unit: string;
  arguments?: Record<string, unknown>;
  /** The original ODCS quality rule (or `{ unique: true }`). */
  source: Record<string, unknown>;
}

export interface CompiledContract {
  /** The contract `id`. */
  id: string;
  /** The contract `version`. */
  version: string;
  /** The dataset URN when the contract id is one (`urn:dp:…`) or a customProperty `signalFactory.datasetUrn` names it. */
  datasetUrn?: string;
  /** Name of the compiled schema object. */
  schemaName: string;
  /** Whether unknown fields are reported as `UNKNOWN_FIELD`. */
  strict: boolean;
  /** Field paths the contract declares as personal/sensitive through `classification`. */
  piiFields: string[];
  /** Field path → classification for every classified field. */
  classifications: Readonly<Record<string, string>>;
  /** Rules the DQ engine judges over windows of records. */
  aggregateRules: AggregateRule[];
  /** Constraints found but not enforced per record (unknown format names…), for a person to read. */
  warnings: string[];
  /** Validates one record. Never throws; the valid result is a shared frozen object. */
  validate(record: unknown): ValidationResult;
}
