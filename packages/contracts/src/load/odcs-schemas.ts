import Ajv2019 from 'ajv/dist/2019.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import odcsV302 from '../../schemas/odcs-json-schema-v3.0.2.json';
import odcsV310 from '../../schemas/odcs-json-schema-v3.1.0.json';

/** apiVersions this package loads. v3.0.x documents are linted with the v3.1.0 schema (see README). */
export const SUPPORTED_API_VERSIONS = ['v3.0.0', 'v3.0.1', 'v3.0.2', 'v3.1.0'] as const;

export type OdcsSchemaVersion = 'v3.0.2' | 'v3.1.0';

const validators = new Map<OdcsSchemaVersion, ValidateFunction>();

/** The compiled official ODCS JSON Schema, built once per process on first use. */
export function odcsSchemaValidator(version: OdcsSchemaVersion): ValidateFunction {
  let validate = validators.get(version);
  if (validate === undefined) {
    const ajv = new Ajv2019({ allErrors: true, strict: false, logger: false });
    addFormats(ajv as never);
    validate = ajv.compile(version === 'v3.0.2' ? odcsV302 : odcsV310);
    validators.set(version, validate);
  }
  return validate;
}
