import { ElTemplate } from '@apim/core';
import { type TSchema, Type } from '@sinclair/typebox';

/** `async`, `addHeaders` and `errorStrategy`, shared by rate-limit, quota and spike-arrest (Gravitee field names). */
export const counterOptions = (headers: string) => ({
  async: Type.Boolean({
    title: 'Non-strict mode (async)',
    description:
      'Decide from counters local to the gateway, synchronised with the shared store every second: no store call on the request path, at the cost of over-admitting (each gateway may admit what it admits locally during one interval beyond the shared count).',
    default: false,
  }),
  addHeaders: Type.Boolean({
    title: 'Add response headers',
    description: `Send ${headers}.`,
    default: true,
  }),
  errorStrategy: Type.Unsafe<'FALLBACK_PASS_THROUGH' | 'FALLBACK_PASS_TROUGH' | 'BLOCK_ON_INTERNAL_ERROR'>({
    type: 'string',
    enum: ['FALLBACK_PASS_THROUGH', 'FALLBACK_PASS_TROUGH', 'BLOCK_ON_INTERNAL_ERROR'],
    title: 'Error strategy',
    description:
      "When the counter store fails or times out: FALLBACK_PASS_THROUGH lets the request through (logged at warn, at most every 10 s); BLOCK_ON_INTERNAL_ERROR answers 500 with the key <PREFIX>_BLOCK_ON_INTERNAL_ERROR. FALLBACK_PASS_TROUGH is Gravitee's spelling of the first.",
    default: 'FALLBACK_PASS_THROUGH',
  }),
});

/** The counter fields of `rate`, `quota` and `spike` (Gravitee's KeyConfiguration plus the period). */
export const counterFields = <U extends string>(units: readonly U[], defaultUnit: U) => ({
  key: ElTemplate({
    title: 'Key',
    description:
      "EL template added to the counter key, e.g. {#request.headers['X-Tenant'][0]}: one counter per value. Empty: one counter per plan and subscription (the client address on keyless plans).",
    default: '',
  }),
  useKeyOnly: Type.Boolean({
    title: 'Use key only',
    description:
      'Identify the counter by the evaluated key alone, so that every API and plan using the same key shares it. Ignored when the key is empty.',
    default: false,
  }),
  limit: Type.Integer({
    minimum: 0,
    title: 'Max requests (static)',
    description: 'Requests admitted per period. 0 uses dynamicLimit (or refuses everything without one).',
    default: 0,
  }),
  dynamicLimit: Type.Optional(
    ElTemplate({
      title: 'Max requests (dynamic)',
      description:
        "EL template giving the limit when limit is 0, e.g. {#context.attributes['plan-limit']}. Empty text means 0; anything but an integer >= 0 follows errorStrategy.",
    }),
  ),
  periodTime: Type.Integer({ minimum: 1, title: 'Time duration', default: 1 }),
  periodTimeUnit: Type.Unsafe<U>({
    type: 'string',
    enum: [...units],
    title: 'Time unit',
    default: defaultUnit,
  }) as TSchema & { static: U },
});
