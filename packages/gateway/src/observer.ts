/**
 * What the request path tells the rest of the gateway about each request, once it is over: the hook that metrics,
 * analytics reporters and the node service consume. The request path does no I/O for them; observers must be cheap
 * and non-blocking (count, enqueue), never await.
 */

/** One finished request (the response was fully written, or the connection closed first). */
export interface CompletedRequest {
  /** Id of the API that served it; undefined when no API matched. */
  apiId: string | undefined;
  /** Id of the plan resolved for it, when one was. */
  planId: string | undefined;
  /** The application and subscription the plan's credentials identified (plans with subscriptions). */
  applicationId?: string;
  subscriptionId?: string;
  /** Name of the endpoint called, when one was. */
  endpoint: string | undefined;
  method: string;
  /** Status sent to the client (0 when the connection closed before a status was sent). */
  status: number;
  /** Stable error key (GATEWAY_CLIENT_CONNECTION_ERROR...) when the gateway produced the answer because of a failure. */
  errorKey: string | undefined;
  /** Time from the request's arrival to the end of the response, in milliseconds (fractional). */
  durationMs: number;
  /** Time from sending the request upstream to the upstream's response headers, in milliseconds; -1 when not called. */
  endpointDurationMs: number;
  /** True when the client went away before the response was complete. */
  aborted: boolean;
  /** The API's path mapping (`/products/:id`) the request path matched, for analytics; absent when none did. */
  mappedPath?: string;
}

/** Consumers of finished requests. */
export interface RequestObserver {
  requestCompleted(request: CompletedRequest): void;
}

/** An observer that does nothing (the default). */
export const NOOP_OBSERVER: RequestObserver = { requestCompleted() {} };

/** Fans one finished request out to several observers. */
export function combineObservers(observers: readonly RequestObserver[]): RequestObserver {
  if (observers.length === 0) return NOOP_OBSERVER;
  if (observers.length === 1) return observers[0] as RequestObserver;
  return {
    requestCompleted(request) {
      for (const observer of observers) observer.requestCompleted(request);
    },
  };
}
