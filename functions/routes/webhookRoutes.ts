import { ADMINS } from '../../shared/auth/roleSets';
import {
  createdWebhookResponseSchema,
  deliveryListResponseSchema,
  testEventResponseSchema,
  webhookIdParamSchema,
  webhookListResponseSchema,
  webhookRequestSchema,
  webhookResponseSchema,
} from '../../shared/events/webhookSchemas';
import { json } from '../../shared/http/handler';
import { defineRoute } from '../../shared/http/route';
import { identityOf } from '../../shared/model/identity';
import { jsonResponse, problem } from '../../shared/openapi/responses';

const notFound = problem('No such webhook');
const notAnId = problem('Not a webhook id');

export const createWebhook = defineRoute({
  name: 'createWebhook',
  method: 'POST',
  path: 'webhooks',
  summary: 'Subscribe a URL to events (answers the signing secret, once)',
  roles: ADMINS,
  request: { body: webhookRequestSchema },
  responses: {
    201: jsonResponse('Created, with its signing secret', createdWebhookResponseSchema),
    422: problem('A validation rule failed; `field` names the field (`url`, `events`)'),
  },
  handler: async ({ body }, { services, principal, logger }) => {
    const created = await services.webhooks.create(body, identityOf(principal!));
    logger.info('webhook created', { webhookId: created.id, events: created.events.join(',') });
    return json(201, created, { Location: `/api/webhooks/${created.id}` });
  },
});

export const listWebhooks = defineRoute({
  name: 'listWebhooks',
  method: 'GET',
  path: 'webhooks',
  summary: 'List webhooks',
  roles: ADMINS,
  responses: { 200: jsonResponse('Webhooks', webhookListResponseSchema) },
  handler: async (_input, { services }) => json(200, { webhooks: await services.webhooks.list() }),
});

export const getWebhook = defineRoute({
  name: 'getWebhook',
  method: 'GET',
  path: 'webhooks/{id}',
  summary: 'One webhook',
  roles: ADMINS,
  request: { params: webhookIdParamSchema },
  responses: { 200: jsonResponse('The webhook', webhookResponseSchema), 404: notFound, 422: notAnId },
  handler: async ({ params }, { services }) => json(200, await services.webhooks.get(params.id)),
});

export const deleteWebhook = defineRoute({
  name: 'deleteWebhook',
  method: 'DELETE',
  path: 'webhooks/{id}',
  summary: 'Delete a webhook, its signing secret and its deliveries',
  roles: ADMINS,
  request: { params: webhookIdParamSchema },
  responses: { 204: { description: 'Deleted' }, 404: notFound, 422: notAnId },
  handler: async ({ params }, { services, logger }) => {
    await services.webhooks.remove(params.id);
    logger.info('webhook deleted', { webhookId: params.id });
    return { status: 204 };
  },
});

export const testWebhook = defineRoute({
  name: 'testWebhook',
  method: 'POST',
  path: 'webhooks/{id}/test',
  summary: 'Send a `webhook.test` event to this webhook',
  roles: ADMINS,
  request: { params: webhookIdParamSchema },
  responses: {
    202: jsonResponse('Queued for delivery', testEventResponseSchema),
    404: notFound,
    422: notAnId,
  },
  handler: async ({ params }, { services }) =>
    json(202, { eventId: await services.webhooks.sendTest(params.id) }),
});

export const listWebhookDeliveries = defineRoute({
  name: 'listWebhookDeliveries',
  method: 'GET',
  path: 'webhooks/{id}/deliveries',
  summary: 'The last deliveries to this webhook, newest first',
  roles: ADMINS,
  request: { params: webhookIdParamSchema },
  responses: { 200: jsonResponse('Deliveries', deliveryListResponseSchema), 404: notFound, 422: notAnId },
  handler: async ({ params }, { services }) =>
    json(200, { deliveries: await services.webhooks.listDeliveries(params.id) }),
});

export const webhookRoutes = [
  createWebhook,
  listWebhooks,
  getWebhook,
  deleteWebhook,
  testWebhook,
  listWebhookDeliveries,
];
