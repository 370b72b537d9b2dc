import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getServices } from '../shared/services';
import { contextLogger } from '../shared/logging/logger';
import { describeError } from '../shared/errors/describeError';
import { oauthCallbackQuerySchema } from '../shared/connections/schemas';
import {
  CALLBACK_PAGE_HEADERS,
  renderCallbackErrorPage,
  renderCallbackPage,
} from '../shared/connections/callbackPage';

/** Where RollWorks sends the browser back after sign-in. Anonymous: the single-use `state` is the proof. */
export async function oauthCallback(
  request: HttpRequest,
  invocation: InvocationContext,
): Promise<HttpResponseInit> {
  const logger = contextLogger(invocation, { invocationId: invocation.invocationId });
  let page: { status: number; html: string };
  try {
    const parsed = oauthCallbackQuerySchema.safeParse(Object.fromEntries(request.query.entries()));
    const query = parsed.success ? parsed.data : {};
    page = renderCallbackPage(await getServices().connections.completeAuthorization(query, logger));
  } catch (error) {
    logger.error('oauth callback failed', { error: describeError(error) });
    page = renderCallbackErrorPage();
  }
  return { status: page.status, headers: CALLBACK_PAGE_HEADERS, body: page.html };
}

app.http('oauthCallback', {
  route: 'oauth/rollworks/callback',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: oauthCallback,
});
