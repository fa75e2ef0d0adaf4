export {
  AlertRouter,
  type AlertRoute,
  type AlertRouterOptions,
  type AlertRouterStats,
  type DispatchResult,
  type DispatchStatus,
  type StormBreakerOptions,
} from './alert-router';
export { ALERT_ERROR_CODES, type AlertErrorCode, type OptionProblem } from './errors';
export type { Alert, AlertKind, AlertSendResult, AlertSink, IncidentTransition } from './types';
export {
  WebhookAlertSink,
  parseRetryAfter,
  toWebhookPayload,
  type WebhookAlertSinkOptions,
} from './webhook-alert-sink';
