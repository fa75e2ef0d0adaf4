import type { LineageIngestor } from '../../src/ingest/lineage-ingestor';

export const T0 = Date.parse('2026-01-15T09:00:00Z');
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

/** The steel-thread landscape plus a cycle and a self-loop, ingested through every entry point. */
export async function ingestFixtures(ingestor: LineageIngestor): Promise<void> {
  const ok = async (p: Promise<{ ok: boolean }>): Promise<void> => {
    const result = await p;
    if (!result.ok) throw new Error(`fixture rejected: ${JSON.stringify(result)}`);
  };
  await ok(
    ingestor.registerDataset({
      urn: 'urn:dp:orders:created',
      topic: 'raw.orders.events',
      tier: 1,
      producer: 'orders-svc',
      owner: 'orders-team',
    }),
  );
  await ok(
    ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { namespace: 'finance', name: 'finance-pipeline' } },
      owner: 'finance-team',
      tier: 1,
      inputs: [
        { dataset: 'urn:dp:orders:created', columns: ['customer_id', 'amount', 'currency'] },
      ],
      outputs: [
        { dataset: 'urn:dp:finance:revenue-daily', columns: ['revenue', 'customer_id'], tier: 1 },
      ],
      confidence: 'HIGH',
    }),
  );
  await ok(
    ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { namespace: 'analytics', name: 'analytics-dashboard' } },
      owner: 'analytics-team',
      tier: 2,
      inputs: [{ dataset: 'urn:dp:orders:created', columns: ['amount', 'created_at'] }],
      confidence: 'MEDIUM',
    }),
  );
  // Runtime lineage: an OpenLineage run on Kafka topics, resolved through the resolver.
  await ok(
    ingestor.ingestOpenLineage({
      eventType: 'COMPLETE',
      eventTime: at(30),
      producer: 'https://example.com/producer',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: { runId: '3f5e83fa-3480-44ff-99c5-ff943904e5e8' },
      job: {
        namespace: 'finance',
        name: 'finance-report',
        facets: {
          tags: {
            _producer: 'https://example.com',
            _schemaURL: 'https://openlineage.io/spec/facets/1-0-0/TagsJobFacet.json',
            tags: [{ key: 'tier', value: '3' }],
          },
        },
      },
      inputs: [{ namespace: 'kafka://broker-1:9092', name: 'finance.revenue.daily' }],
      outputs: [
        {
          namespace: 'kafka://broker-1:9092',
          name: 'finance.report.monthly',
          facets: {
            columnLineage: {
              _producer: 'https://example.com',
              _schemaURL: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json',
              fields: {
                total: {
                  inputFields: [
                    {
                      namespace: 'kafka://broker-1:9092',
                      name: 'finance.revenue.daily',
                      field: 'revenue',
                    },
                  ],
                },
              },
            },
          },
        },
      ],
    }),
  );
  // Hop 4: beyond the 3-hop bound.
  await ok(
    ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { namespace: 'exec', name: 'exec-dashboard' } },
      inputs: [{ dataset: 'urn:dp:finance:report-monthly' }],
      outputs: [{ dataset: 'urn:dp:exec:kpis' }],
      confidence: 'LOW',
    }),
  );
  // A cycle (a ↔ b) and a self-loop (c → c).
  await ok(
    ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { name: 'job-x' } },
      inputs: [{ dataset: 'urn:dp:loop:a' }],
      outputs: [{ dataset: 'urn:dp:loop:b' }],
      confidence: 'HIGH',
    }),
  );
  await ok(
    ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { name: 'job-y' } },
      inputs: [{ dataset: 'urn:dp:loop:b' }],
      outputs: [{ dataset: 'urn:dp:loop:a' }],
      confidence: 'HIGH',
    }),
  );
  await ok(
    ingestor.ingestLineageSpec({
      kind: 'LineageSpec',
      producer: { job: { name: 'job-z' } },
      inputs: [{ dataset: 'urn:dp:loop:c' }],
      outputs: [{ dataset: 'urn:dp:loop:c' }],
      confidence: 'HIGH',
    }),
  );

  // Deployments: 3.16, then 3.17 (the bad one), then a rollback to 3.16.
  await ok(
    ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.16',
      commit: 'a1b2c3d',
      time: at(0),
      owner: 'orders-team',
    }),
  );
  await ok(
    ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.17',
      commit: '9f31c2d',
      time: at(58),
    }),
  );
  await ok(
    ingestor.ingestDeployment({
      service: 'orders-svc',
      version: '3.16',
      commit: 'a1b2c3d',
      time: at(120),
    }),
  );

  // The failure, its signal and the incident.
  await ok(
    ingestor.recordFailureSignature({
      hash: 'sha256:1111',
      datasetUrn: 'urn:dp:orders:created',
      reasonCodes: ['MISSING_FIELD:customer_id'],
      failedGates: ['G4'],
      introducedBy: { service: 'orders-svc', version: '3.17', confidence: 'HIGH' },
    }),
  );
  await ok(
    ingestor.recordSignal({
      id: 'sig-1',
      type: 'CONTRACT',
      state: 'CRITICAL',
      datasetUrn: 'urn:dp:orders:created',
      causedBy: ['sha256:1111'],
    }),
  );
  await ok(
    ingestor.recordSignal({
      id: 'sig-2',
      type: 'VOLUME',
      state: 'CRITICAL',
      datasetUrn: 'urn:dp:orders:created',
    }),
  );
  await ok(
    ingestor.recordIncident({ id: 'inc-1', severity: 'SEV-1', signals: ['sig-1', 'sig-2'] }),
  );
}

export const FIXTURE_RESOLVER = {
  exact: { 'raw.orders.events': 'urn:dp:orders:created' },
  patterns: [{ pattern: 'finance.*.*', urn: 'urn:dp:finance:$1-$2' }],
};
