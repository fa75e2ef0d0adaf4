export { isRetriable, withRetry, type RetryOptions } from './with-retry';
