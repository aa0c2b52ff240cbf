import type { JsonObject, Plan } from '@apim/core';

/** Gravitee's PlanV4 payload (`#/components/schemas/PlanV4`). */
export type PlanV4 = JsonObject & { id: string; apiId: string; name: string; status: string; definitionVersion: 'V4' };

const DATE_KEYS = ['createdAt', 'updatedAt', 'publishedAt', 'closedAt'];

/** Maps a plan record to PlanV4: the stored v4 plan with the record's columns (status, order, dates) winning. */
export function toPlanV4(plan: Plan): PlanV4 {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(plan.definition)) if (!DATE_KEYS.includes(key)) out[key] = value;
  Object.assign(out, {
    id: plan.id,
    apiId: plan.apiId,
    name: plan.name,
    definitionVersion: 'V4',
    type: 'API',
    mode: plan.definition.mode ?? 'STANDARD',
    status: plan.status,
    validation: plan.validation,
    commentRequired: plan.commentRequired,
    order: plan.order,
    tags: plan.definition.tags ?? [],
    flows: plan.definition.flows ?? [],
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
  });
  if (plan.crossId) out.crossId = plan.crossId;
  if (plan.description != null) out.description = plan.description;
  else delete out.description;
  if (plan.publishedAt) out.publishedAt = plan.publishedAt;
  if (plan.closedAt) out.closedAt = plan.closedAt;
  return out as PlanV4;
}
