import { Type } from '@sinclair/typebox';

/** v2 `scope`: with it set, the policy acts only in that phase (v4 decides the phase by the step's placement). */
export const ScopeSchema = Type.Optional(
  Type.Unsafe<'REQUEST' | 'RESPONSE'>({
    type: 'string',
    enum: ['REQUEST', 'RESPONSE'],
    title: 'Scope (v2)',
    description: 'Gravitee v2 scope: when set, the policy only acts in that phase. v4 flows decide by placement.',
  }),
);

export const HTTP_METHODS = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'] as const;

/** An HTTP method, as Gravitee spells them. */
export const HttpMethodSchema = (options: Record<string, unknown> = {}) =>
  Type.Unsafe<(typeof HTTP_METHODS)[number]>({ type: 'string', enum: [...HTTP_METHODS], ...options });

/** True when a step with this v2 scope should act in `phase`. */
export function inScope(scope: 'REQUEST' | 'RESPONSE' | undefined, phase: 'REQUEST' | 'RESPONSE'): boolean {
  return scope === undefined || scope === phase;
}
