import { createExport, deleteExport } from '../../functions/routes/exportRoutes';
import { startRun } from '../../functions/routes/runRoutes';
import { QUOTA_TABLE } from '../../shared/destinations/rollworks/requestBudget';
import { silentLogger } from '../../shared/logging/logger';
import { exportBody, startExportStack, type ExportStack } from './support/exportStack';

/** The deactivation queue: on the daily request budget, retried with backoff, failures recorded. */
let stack: ExportStack;

beforeAll(async () => {
  stack = await startExportStack({ ROLLWORKS_DAILY_REQUEST_BUDGET: '1000', ROLLWORKS_RETRY_BUDGET_MS: '0' });
  await stack.writeSegment('newsletter', { rows: 150 });
});
afterAll(() => stack?.stop());

/** An exported export deleted with audiences=deactivate; its one deactivation message, taken off the queue. */
async function deletedWithDeactivation() {
  const connection = stack.connections.add();
  const created = await stack.call(createExport, {
    method: 'POST',
    path: '/api/exports',
    body: exportBody(connection.id, ['newsletter']),
  });
  const exportId = created.body.id as string;
  await stack.call(startRun, {
    method: 'POST',
    path: `/api/exports/${exportId}/runs`,
    params: { id: exportId },
    body: {},
  });
  await stack.drainQueueThroughWorker();
  const deleted = await stack.call(deleteExport, {
    method: 'DELETE',
    path: `/api/exports/${exportId}?audiences=deactivate`,
    params: { id: exportId },
  });
  expect(deleted.status).toBe(202);
  const audienceId = deleted.body.audiences[0].audience.id as string;
  return { exportId, audienceId, message: await take() };
}

const deactivations = () => stack.services.storage.queue(stack.config.DEACTIVATION_QUEUE_NAME);
async function take(): Promise<unknown> {
  const { receivedMessageItems } = await deactivations().receiveMessages({ numberOfMessages: 1 });
  expect(receivedMessageItems).toHaveLength(1);
  const [item] = receivedMessageItems;
  await deactivations().deleteMessage(item.messageId, item.popReceipt);
  return JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8'));
}
const waiting = async () => (await deactivations().getProperties()).approximateMessagesCount;
const row = async (exportId: string) => (await stack.services.discontinue.store.list(exportId))[0];

test('the message carries references only', async () => {
  const { message, exportId, audienceId } = await deletedWithDeactivation();
  expect(message).toEqual({
    v: 1,
    kind: 'deactivateAudience',
    exportId,
    segment: 'newsletter',
    connectionId: expect.any(String),
    audienceId,
  });
});

test('with the daily budget used up, the deactivation waits (re-queued until the reset) and then succeeds', async () => {
  const { message, exportId, audienceId } = await deletedWithDeactivation();
  while ((await stack.services.requestBudget.tryConsume(50)).ok);
  while ((await stack.services.requestBudget.tryConsume(1)).ok);

  await stack.services.audienceDeactivator.handle(message, silentLogger);
  const parked = await row(exportId);
  expect(parked).toMatchObject({ status: 'pending', error: { code: 'DAILY_BUDGET_EXHAUSTED' } });
  expect(Date.parse(parked.resumesAt!)).toBeGreaterThan(Date.now());
  expect(await waiting()).toBe(1); // invisible until the budget resets
  expect((await deactivations().peekMessages()).peekedMessageItems).toHaveLength(0);
  expect(stack.simulator.state.audiences.get(audienceId)?.deleted).toBe(false);

  await deactivations().clearMessages();
  stack.setNow(new Date(Date.now() + 86_400_000)); // the next UTC day: a fresh budget
  try {
    await stack.services.audienceDeactivator.handle(message, silentLogger);
  } finally {
    stack.setNow(null);
    const quota = stack.services.storage.table(QUOTA_TABLE);
    for await (const day of quota.listEntities()) await quota.deleteEntity(day.partitionKey!, day.rowKey!);
  }
  expect(await row(exportId)).toMatchObject({ status: 'deactivated', error: null, resumesAt: null });
  expect(stack.simulator.state.audiences.get(audienceId)?.deleted).toBe(true);
});

test('a failing RollWorks is retried with a growing delay; a message that keeps failing ends failed', async () => {
  const { message, exportId, audienceId } = await deletedWithDeactivation();
  stack.simulator.state.setFaults({ rate500: 1 });
  try {
    await stack.services.audienceDeactivator.handle(message, silentLogger);
    expect(await row(exportId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      error: { code: 'SERVER_ERROR', message: expect.stringContaining('retrying in 30 s') },
    });
    expect(await waiting()).toBe(1); // back after its delay
    await deactivations().clearMessages();
    await stack.services.audienceDeactivator.handle(message, silentLogger);
    expect((await row(exportId)).error?.message).toContain('retrying in 60 s');
    expect(await waiting()).toBe(1); // back after its delay
    await deactivations().clearMessages();
  } finally {
    stack.simulator.state.setFaults({});
  }
  await stack.services.audienceDeactivator.handlePoison(message, silentLogger);
  expect(await row(exportId)).toMatchObject({
    status: 'failed',
    error: {
      code: 'RETRIES_EXHAUSTED',
      message: expect.stringContaining('Deactivate the audience in RollWorks'),
    },
  });
  // A late redelivery of a failed deactivation changes nothing.
  await stack.services.audienceDeactivator.handle(message, silentLogger);
  expect((await row(exportId)).status).toBe('failed');
  expect(stack.simulator.state.audiences.get(audienceId)?.deleted).toBe(false);
});

test('a deactivation whose message was lost is queued again by the daily pass, and then done', async () => {
  const { exportId, audienceId } = await deletedWithDeactivation(); // its message is taken: lost
  expect(await stack.services.discontinue.requeueStale(silentLogger)).toBe(0); // not stale yet
  stack.setNow(new Date(Date.now() + 25 * 3600 * 1000));
  try {
    // this one, and the first test's (whose message that test took off the queue)
    expect(await stack.services.discontinue.requeueStale(silentLogger)).toBe(2);
  } finally {
    stack.setNow(null);
  }
  const { receivedMessageItems } = await deactivations().receiveMessages({ numberOfMessages: 32 });
  const messages = receivedMessageItems.map((item) =>
    JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')),
  );
  expect(messages.filter((m) => m.exportId === exportId)).toHaveLength(1);
  for (const message of messages) await stack.services.audienceDeactivator.handle(message, silentLogger);
  expect(await row(exportId)).toMatchObject({ status: 'deactivated' });
  expect(stack.simulator.state.audiences.get(audienceId)?.deleted).toBe(true);
});
