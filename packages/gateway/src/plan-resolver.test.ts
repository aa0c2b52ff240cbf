import type { IncomingMessage } from 'node:http';
import type { PlanDefinition } from '@apim/core';
import { describe, expect, it } from 'vitest';
import { createPlanResolver } from './plan-resolver.js';

const plan = (id: string, type: string, status: PlanDefinition['status'], order = 0): PlanDefinition => ({
  id,
  name: id,
  definitionVersion: 'V4',
  security: { type: type as 'KEY_LESS' },
  mode: 'STANDARD',
  status,
  validation: 'AUTO',
  tags: [],
  flows: [],
  order,
});

const req = {} as IncomingMessage;

describe('createPlanResolver', () => {
  it('serves with a published or deprecated keyless plan', () => {
    expect(createPlanResolver([plan('p', 'KEY_LESS', 'PUBLISHED')])(req)?.id).toBe('p');
    expect(createPlanResolver([plan('p', 'KEY_LESS', 'DEPRECATED')])(req)?.id).toBe('p');
    expect(createPlanResolver([plan('p', 'key-less', 'PUBLISHED')])(req)?.id).toBe('p');
  });

  it('does not serve with staging or closed keyless plans, or with other security types', () => {
    expect(createPlanResolver([])(req)).toBeUndefined();
    expect(
      createPlanResolver([plan('a', 'KEY_LESS', 'STAGING'), plan('b', 'KEY_LESS', 'CLOSED')])(req),
    ).toBeUndefined();
    expect(createPlanResolver([plan('k', 'API_KEY', 'PUBLISHED'), plan('j', 'JWT', 'PUBLISHED')])(req)).toBeUndefined();
  });

  it('picks the first keyless plan by order', () => {
    const resolve = createPlanResolver([
      plan('key', 'API_KEY', 'PUBLISHED', 0),
      plan('late', 'KEY_LESS', 'PUBLISHED', 2),
      plan('early', 'KEY_LESS', 'DEPRECATED', 1),
    ]);
    expect(resolve(req)?.id).toBe('early');
  });
});
