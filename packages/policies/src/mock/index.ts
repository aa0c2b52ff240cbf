import { definePolicy } from '@apim/core';
import hello from './examples/hello.json' with { type: 'json' };
import jsonTemplate from './examples/json-template.json' with { type: 'json' };
import { createMock } from './mock.js';
import { MockSchema } from './schema.js';

/** `mock`: answers without calling the endpoint. */
export const mockPolicy = definePolicy({
  id: 'mock',
  version: '1.0.0',
  name: 'Mock',
  description:
    'Answers the request with a configured status, headers and body (an EL template) instead of calling the endpoint. The response flows still run on the mocked response.',
  category: 'others',
  phases: ['request'],
  schema: MockSchema,
  examples: [hello, jsonTemplate],
  create: createMock,
});
