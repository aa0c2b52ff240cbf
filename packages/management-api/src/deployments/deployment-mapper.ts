import type { Deployment, JsonObject } from '@apim/core';

/** A deployment as the API returns it; `definition` (the `{ api, plans }` snapshot) only when asked for. */
export function toDeploymentResponse(deployment: Deployment, withDefinition: boolean): JsonObject {
  const out: JsonObject = {
    id: deployment.id,
    apiId: deployment.apiId,
    revision: deployment.revision,
    createdAt: deployment.createdAt,
  };
  if (deployment.label) out.deploymentLabel = deployment.label;
  if (deployment.deployedBy) out.deployedBy = deployment.deployedBy;
  if (withDefinition) out.definition = deployment.definition;
  return out;
}
