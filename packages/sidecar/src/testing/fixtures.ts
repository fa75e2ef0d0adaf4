/** Registry documents and records shared by the sidecar's tests and benchmarks. */
export const ORDERS_CONTRACT = {
  apiVersion: 'v3.0.2',
  kind: 'DataContract',
  id: 'urn:dp:orders:created',
  version: '1.0.0',
  status: 'active',
  schema: [
    {
      name: 'orders',
      logicalType: 'object',
      properties: [
        { name: 'order_id', logicalType: 'string', required: true },
        { name: 'customer_id', logicalType: 'string', required: true },
        { name: 'amount', logicalType: 'number', required: true },
        { name: 'currency', logicalType: 'string', required: true },
        { name: 'email', logicalType: 'string', classification: 'pii' },
        { name: 'notes', logicalType: 'string' },
      ],
    },
  ],
};

export function registryDocuments(enforcement: 'observe' | 'enforce' = 'enforce'): unknown[] {
  return [
    {
      kind: 'Dataset',
      urn: 'urn:dp:orders:created',
      tier: 'gold',
      enforcement,
      samplePayloads: true,
      topics: ['orders.created'],
      producerService: 'orders-svc',
    },
    {
      kind: 'Dataset',
      urn: 'urn:dp:payments:settled',
      tier: 'bronze',
      topicPatterns: ['payments\\.settled\\..*'],
    },
    { kind: 'Resolution', patterns: [{ pattern: 'legacy\\.([a-z]+)', urn: 'urn:dp:legacy:$1' }] },
    { kind: 'IdentityFallback', topics: { 'legacy.billing': 'billing-batch' } },
    ORDERS_CONTRACT,
  ];
}

/** A ~500-byte valid orders event. */
export function orderEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: 'o-7f3c9a2e-41d8-4b6e-9a0c-5d2f1e8b7c64',
    customer_id: 'c-1f2e3d4c-5b6a-4789-8a7b-6c5d4e3f2a1b',
    amount: 129.95,
    currency: 'EUR',
    email: 'jane.doe@example.com',
    notes: 'leave at the front door, ring twice, the dog is friendly',
    status: 'created',
    created_at: '2026-11-25T10:00:00.000Z',
    lines: [
      { sku: 'SKU-000123', qty: 2, price: 39.99 },
      { sku: 'SKU-000456', qty: 1, price: 49.97 },
    ],
    shipping: { method: 'express', country: 'DE', postcode: '10115', city: 'Berlin' },
    channel: 'web',
    ...overrides,
  };
}
