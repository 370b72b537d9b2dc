/** Where a webhook's signing secret is kept in the secret store (never in a table). */
export const webhookSecretName = (webhookId: string) => `webhook-secret-${webhookId}`;
