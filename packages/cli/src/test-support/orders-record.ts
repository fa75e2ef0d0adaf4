/**
 * The `record:` generators of an orders event that passes the shared orders contract, as scenario
 * YAML indented for a `traffic` entry (tests splice it into inline scenarios).
 */
export const ORDERS_RECORD_YAML = `    record:
      order_id: uuid
      customer_id: { pattern: "C[0-9]{6}" }
      amount: { float: [5, 500] }
      currency: { enum: [EUR, USD, GBP] }
      email: email
      created_at: event_time`;
