import { loadConfig } from './config';
import { startOrdersService } from './orders-service';

// A runnable service: prints one status line per second (the SDK itself never logs).
const config = loadConfig();
const service = await startOrdersService(config, {
  logger: {
    debug() {},
    info() {},
    warn: (obj, msg) => console.warn(`[orders-svc] ${msg ?? ''} ${JSON.stringify(obj)}`),
    error: (obj, msg) => console.error(`[orders-svc] ${msg ?? ''} ${JSON.stringify(obj)}`),
  },
});
console.log(
  `[orders-svc] producing to ${config.topic} on ${config.brokers.join(',')} ` +
    `${config.sidecarUrl ? `through the sidecar at ${config.sidecarUrl}` : 'directly'} at ${config.ratePerSecond}/s`,
);
const status = setInterval(() => {
  console.log(
    `[orders-svc] produced=${service.produced} failures=${JSON.stringify(service.failures)}`,
  );
}, 1000);
const shutdown = async (): Promise<void> => {
  clearInterval(status);
  await service.stop();
  console.log(`[orders-svc] stopped after ${service.produced} orders`);
};
process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));
process.once('SIGTERM', () => void shutdown().then(() => process.exit(0)));
await service.done;
if (config.count > 0) {
  await shutdown();
}
