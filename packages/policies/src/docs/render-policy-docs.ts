import type { PolicyPlugin } from '@apim/core';
import { BUILTIN_POLICIES } from '../builtin-policies.js';

interface SchemaNode {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  pattern?: string;
  'x-el'?: boolean;
}

interface Row {
  name: string;
  node: SchemaNode;
  required: boolean;
}

function typeOf(node: SchemaNode): string {
  if (node.enum !== undefined) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (node.anyOf !== undefined) return node.anyOf.map(typeOf).join(' \\| ');
  if (node.type === 'array' && node.items !== undefined)
    return node.items.type === 'object' ? 'array of objects' : `array of ${typeOf(node.items)}`;
  return node.type ?? 'any';
}

/** Flattens properties: `addHeaders` then `addHeaders[].name`... */
function rows(node: SchemaNode, prefix: string, out: Row[]): Row[] {
  const required = new Set(node.required ?? []);
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${name}`;
    out.push({ name: path, node: child, required: required.has(name) && child.default === undefined });
    if (child.type === 'object') rows(child, `${path}.`, out);
    if (child.type === 'array' && child.items?.type === 'object') rows(child.items, `${path}[].`, out);
  }
  return out;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function describe(node: SchemaNode): string {
  const parts = [node.title, node.description].filter((p): p is string => p !== undefined && p !== '');
  if (parts.length === 2 && parts[1]!.startsWith(parts[0]!)) parts.shift();
  return cell(parts.join(': '));
}

function section(plugin: PolicyPlugin): string[] {
  const schema = plugin.schema as SchemaNode;
  const lines = [
    `## \`${plugin.id}\`: ${plugin.name}`,
    '',
    plugin.description,
    '',
    `Version ${plugin.version}, category ${plugin.category}, phases: ${plugin.phases.map((p) => `\`${p}\``).join(', ')}.`,
  ];
  const bodies = [plugin.needsBody?.request && 'request', plugin.needsBody?.response && 'response'].filter(Boolean);
  if (bodies.length > 0) lines.push(`Buffers the ${bodies.join(' and ')} body.`);
  lines.push('', '| field | type | required | default | EL | description |', '| --- | --- | --- | --- | --- | --- |');
  for (const { name, node, required } of rows(schema, '', [])) {
    const fallback = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
    lines.push(
      `| \`${name}\` | ${typeOf(node)} | ${required ? 'yes' : ''} | ${fallback} | ${node['x-el'] ? 'yes' : ''} | ${describe(node)} |`,
    );
  }
  for (const example of plugin.examples ?? []) {
    lines.push('', `Example: ${example.title}.${example.description ? ` ${example.description}` : ''}`, '');
    lines.push('```json', JSON.stringify({ policy: plugin.id, configuration: example.configuration }, null, 2), '```');
  }
  lines.push('');
  return lines;
}

/**
 * Renders docs/policies.md from the policy declarations: one section per policy with its phases, a configuration
 * table drawn from the schema, and its examples as flow steps.
 */
export function renderPolicyDocs(plugins: readonly PolicyPlugin[] = BUILTIN_POLICIES): string {
  return [
    '# Policies',
    '',
    '<!-- Generated from packages/policies/src/*/index.ts by `npm run docs`; a test keeps it in sync. -->',
    '',
    'A policy runs as a step of a flow (`request` or `response`). Its configuration is validated at deploy time',
    'against the schema below (defaults applied); fields marked EL are Gravitee EL templates, compiled at deploy time.',
    'Field names follow Gravitee, so imported v2/v4 definitions work unchanged.',
    '',
    ...plugins.map((p) => `- [\`${p.id}\`](#${p.id}-${p.name.toLowerCase().replaceAll(' ', '-')}): ${p.name}`),
    '',
    ...plugins.flatMap(section),
  ].join('\n');
}
