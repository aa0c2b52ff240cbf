import type { Plan, PlanRepository, PlanStatus, PlanValidation } from '@apim/core';
import { fromDbBool, fromJsonObject, NOTHING, orNull, toDbBool, toDbDate, toDbDateOrNull, toJson } from '../codec.js';
import { conflictOnDuplicate } from '../errors.js';
import type { PlanRow } from '../schema.js';
import { assertUpdated, type RepositoryContext } from './shared.js';

function toRow(plan: Plan): PlanRow {
  return {
    id: plan.id,
    api_id: plan.apiId,
    environment_id: plan.environmentId,
    cross_id: orNull(plan.crossId),
    name: plan.name,
    description: orNull(plan.description),
    security_type: plan.securityType,
    definition: toJson(plan.definition ?? {}),
    status: plan.status,
    validation: plan.validation,
    comment_required: toDbBool(plan.commentRequired),
    sort_order: plan.order,
    published_at: toDbDateOrNull(plan.publishedAt, 'publishedAt'),
    closed_at: toDbDateOrNull(plan.closedAt, 'closedAt'),
    created_at: toDbDate(plan.createdAt, 'createdAt'),
    updated_at: toDbDate(plan.updatedAt, 'updatedAt'),
  };
}

function toRecord(row: PlanRow): Plan {
  return {
    id: row.id,
    apiId: row.api_id,
    environmentId: row.environment_id,
    crossId: row.cross_id,
    name: row.name,
    description: row.description,
    securityType: row.security_type,
    definition: fromJsonObject(row.definition),
    status: row.status as PlanStatus,
    validation: row.validation as PlanValidation,
    commentRequired: fromDbBool(row.comment_required),
    order: Number(row.sort_order),
    publishedAt: row.published_at,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Plans. `search` combines its criteria with AND (an empty list matches nothing) and orders by order, name, id. */
export function createPlanRepository({ db }: RepositoryContext): PlanRepository {
  return {
    async create(plan) {
      const row = toRow(plan);
      await conflictOnDuplicate('Plan', plan.id, () => db.insertInto('plans').values(row).execute());
      return toRecord(row);
    },
    async findById(id) {
      const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    async search({ apiId, environmentId, statuses, securityTypes }) {
      const rows = await db
        .selectFrom('plans')
        .selectAll()
        .$if(apiId !== undefined, (qb) => qb.where('api_id', '=', apiId!))
        .$if(environmentId !== undefined, (qb) => qb.where('environment_id', '=', environmentId!))
        .$if(statuses !== undefined, (qb) =>
          statuses!.length ? qb.where('status', 'in', statuses!) : qb.where(NOTHING),
        )
        .$if(securityTypes !== undefined, (qb) =>
          securityTypes!.length ? qb.where('security_type', 'in', securityTypes!) : qb.where(NOTHING),
        )
        .orderBy('sort_order')
        .orderBy('name')
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },
    async update(plan) {
      const { id, ...row } = toRow(plan);
      const result = await db.updateTable('plans').set(row).where('id', '=', id).executeTakeFirst();
      assertUpdated(result, 'Plan', id);
      return toRecord({ id, ...row });
    },
    async delete(id) {
      await db.deleteFrom('plans').where('id', '=', id).execute();
    },
    async deleteByApi(apiId) {
      await db.deleteFrom('plans').where('api_id', '=', apiId).execute();
    },
  };
}
