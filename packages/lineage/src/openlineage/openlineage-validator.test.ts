import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { readSpecDir, sharedSpecPath } from '../../test/support/shared-specs';
import { OpenLineageValidator } from './openlineage-validator';

const validator = new OpenLineageValidator();

const EXPECTED_INVALID: Record<string, string> = {
  'fluentd_event_no_run_id.json': '/run',
  'fluentd_event_invalid_run_facet.json': '/run/facets/parent/run',
  'fluentd_event_invalid_job_facet.json': '/job/facets/ownership/owners/0',
  'fluentd_event_invalid_dataset_facet.json': '/outputs/0/facets/ownership/owners/0',
  'fluentd_event_invalid_input_dataset_facet.json': '/inputs/0/inputFacets/dataQualityMetrics',
  'fluentd_event_invalid_output_dataset_facet.json':
    '/outputs/0/outputFacets/outputStatistics/rowCount',
};

describe('OpenLineageValidator on the spec examples', () => {
  it.each(readSpecDir('openlineage', 'examples', 'valid'))('accepts valid/%s', (_, event) => {
    const result = validator.validate(event);
    expect(result).toMatchObject({ ok: true });
  });

  const invalid = readSpecDir('openlineage', 'examples', 'invalid');
  it('has a reason for every invalid example', () => {
    expect(invalid.map(([f]) => f).sort()).toEqual(Object.keys(EXPECTED_INVALID).sort());
  });

  it.each(invalid)('rejects invalid/%s with the reason', (file, event) => {
    const result = validator.validate(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('SF_ERR_LINEAGE_OPENLINEAGE_INVALID');
    expect(result.problems.map((p) => p.path)).toContain(EXPECTED_INVALID[file]);
  });
});

const CONTAINERS: Record<string, 'run' | 'job' | 'dataset' | 'inputDataset' | 'outputDataset'> = {
  ParentRunFacet: 'run',
  ProcessingEngineRunFacet: 'run',
  NominalTimeRunFacet: 'run',
  ExtractionErrorRunFacet: 'run',
  ErrorMessageRunFacet: 'run',
  EnvironmentVariablesRunFacet: 'run',
  TagsRunFacet: 'run',
  ExternalQueryRunFacet: 'run',
  SourceCodeLocationJobFacet: 'job',
  SQLJobFacet: 'job',
  JobTypeJobFacet: 'job',
  OwnershipJobFacet: 'job',
  TagsJobFacet: 'job',
  SourceCodeJobFacet: 'job',
  DocumentationJobFacet: 'job',
  DataQualityMetricsInputDatasetFacet: 'inputDataset',
  OutputStatisticsOutputDatasetFacet: 'outputDataset',
  BaseSubsetDatasetFacet: 'inputDataset',
};

function eventWith(container: string, facets: Record<string, unknown>): Record<string, unknown> {
  const base = {
    eventType: 'START',
    eventTime: '2026-01-15T09:00:00Z',
    producer: 'https://example.com/p',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: '3f5e83fa-3480-44ff-99c5-ff943904e5e8' },
    job: { namespace: 'ns', name: 'job' },
  };
  if (container === 'run') return { ...base, run: { ...base.run, facets } };
  if (container === 'job') return { ...base, job: { ...base.job, facets } };
  if (container === 'inputDataset')
    return { ...base, inputs: [{ namespace: 'ns', name: 'in', inputFacets: facets }] };
  if (container === 'outputDataset')
    return { ...base, outputs: [{ namespace: 'ns', name: 'out', outputFacets: facets }] };
  return { ...base, outputs: [{ namespace: 'ns', name: 'out', facets }] };
}

describe('OpenLineageValidator on the facet examples', () => {
  const folders = readdirSync(sharedSpecPath('openlineage', 'facet-examples')).sort();
  const cases = folders.flatMap((folder) =>
    readSpecDir('openlineage', 'facet-examples', folder).map(
      ([file, json]) => [`${folder}/${file}`, folder, json] as const,
    ),
  );

  it('covers all 47 facet examples', () => {
    expect(cases).toHaveLength(47);
  });

  it.each(cases)('%s is accepted where its facet belongs', (_, folder, json) => {
    let facets = json as Record<string, unknown>;
    if (folder === 'NominalTimeRunFacet' && !('nominalTime' in facets))
      facets = { nominalTime: facets }; // the bare one
    const schemaUrl = String((Object.values(facets)[0] as { _schemaURL?: string })._schemaURL);
    const container =
      folder === 'LineageFacet'
        ? schemaUrl.endsWith('LineageJobFacet')
          ? 'job'
          : 'dataset'
        : (CONTAINERS[folder] ?? 'dataset');
    const result = validator.validate(eventWith(container, facets));
    expect(result).toMatchObject({ ok: true });
  });

  it('the standard facets are validated: a broken one is rejected with its path', () => {
    const result = validator.validate(
      eventWith('dataset', {
        schema: { _producer: 'https://x', _schemaURL: 'https://x', fields: [{ type: 'int' }] },
      }),
    );
    expect(result).toMatchObject({ ok: false, code: 'SF_ERR_LINEAGE_OPENLINEAGE_INVALID' });
    if (!result.ok) expect(result.problems[0]?.path).toBe('/outputs/0/facets/schema/fields/0');
  });

  it('unknown facets are accepted (and kept by the ingestor)', () => {
    const result = validator.validate(
      eventWith('job', {
        myCompany_costs: { _producer: 'https://x', _schemaURL: 'https://x/s.json', eur: 12 },
      }),
    );
    expect(result.ok).toBe(true);
  });

  it('caps facet size with a typed error', () => {
    const small = new OpenLineageValidator({ maxFacetBytes: 1_000 });
    const result = small.validate(
      eventWith('run', {
        huge: { _producer: 'https://x', _schemaURL: 'https://x', blob: 'x'.repeat(5_000) },
      }),
    );
    expect(result).toMatchObject({ ok: false, code: 'SF_ERR_LINEAGE_PAYLOAD_TOO_LARGE' });
    if (!result.ok) expect(result.problems[0]?.path).toBe('/run/facets/huge');
  });

  it('rejects non-objects and shapeless objects with a reason', () => {
    for (const input of [null, 42, 'x', [], {}]) {
      const result = validator.validate(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
    }
  });
});
