import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeServer, listenOn } from './server-lifecycle';

describe('listenOn / closeServer', () => {
  it('binds a free port, reports a taken one, and closes idempotently', async () => {
    const a = createServer((_req, res) => res.end('ok'));
    const address = await listenOn(a, 0, '127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    const body = await fetch(`http://127.0.0.1:${address.port}/`).then((r) => r.text());
    expect(body).toBe('ok');

    const b = createServer();
    await expect(listenOn(b, address.port, '127.0.0.1')).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });

    await closeServer(a);
    expect(a.listening).toBe(false);
    await closeServer(a);
    await closeServer(b);
  });
});
