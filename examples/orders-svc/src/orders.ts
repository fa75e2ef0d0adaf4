/** An `orders.created` event as the contract (contracts/orders-created.odcs.yaml) describes it. */
export interface OrderCreated {
  order_id: string;
  customer_id: string;
  amount: number;
  currency: 'EUR' | 'USD' | 'GBP';
  email?: string;
  discount_code?: string;
  created_at: string;
}

const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;

/** A deterministic order for sequence number `n`; `broken` ones violate the contract on purpose. */
export function makeOrder(
  n: number,
  broken = false,
  now: Date = new Date(),
): Record<string, unknown> {
  const order: OrderCreated = {
    order_id: `o-${n}`,
    customer_id: `C${String(100_000 + (n % 900_000)).padStart(6, '0')}`,
    amount: Math.round(((n * 7919) % 50_000) + 100) / 100,
    currency: CURRENCIES[n % 3]!,
    email: `customer${n % 1000}@example.com`,
    created_at: now.toISOString(),
  };
  if (n % 5 === 0) order.discount_code = 'WELCOME10';
  if (!broken) return { ...order };
  // the kind of bug a deployment introduces: customer id renamed, amount as a string
  const { customer_id: _dropped, ...rest } = order;
  return { ...rest, customerId: order.customer_id, amount: String(order.amount) };
}
