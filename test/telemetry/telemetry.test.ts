import { inMemoryTelemetry } from './support';

it('records segment rows by kind, durations, request outcomes, budget and run events with ids only', async () => {
  const t = inMemoryTelemetry();
  try {
    t.telemetry.segmentRun({
      exportId: 'exp-1',
      runId: 'run-1',
      segment: 'high-value-customers',
      status: 'succeeded',
      read: 250_000,
      valid: 246_140,
      sent: 246_140,
      rejected: 2_585,
      durationMs: 2_280,
    });
    t.telemetry.destinationRequest('ok', { destination: 'rollworks', operation: 'replaceAudience' });
    t.telemetry.destinationRequest('429', { destination: 'rollworks', operation: 'replaceAudience' });
    t.telemetry.destinationRequest('ok', { destination: 'rollworks', operation: 'replaceAudience' });
    t.telemetry.budgetUsed(42, 100);
    t.telemetry.runCompleted({
      exportId: 'exp-1',
      runId: 'run-1',
      status: 'succeeded',
      trigger: 'manual',
      segments: 1,
      durationMs: 3_630,
    });

    const rows = await t.points('rollworks_export.segment.rows');
    const byKind = Object.fromEntries(rows.map((p) => [p.attributes.kind, p.value]));
    expect(byKind).toEqual({ read: 250_000, valid: 246_140, sent: 246_140, rejected: 2_585 });
    expect(rows[0].attributes).toMatchObject({
      exportId: 'exp-1',
      segment: 'high-value-customers',
      status: 'succeeded',
    });

    const [duration] = await t.points('rollworks_export.segment.duration');
    expect(duration.value).toMatchObject({ count: 1, sum: 2.28 });

    const requests = await t.points('rollworks_export.destination.requests');
    expect(Object.fromEntries(requests.map((p) => [p.attributes.outcome, p.value]))).toEqual({
      ok: 2,
      '429': 1,
    });

    expect((await t.points('rollworks_export.destination.budget.used'))[0]).toMatchObject({
      value: 42,
      attributes: { limit: 100 },
    });

    expect(t.events()).toEqual([
      {
        body: 'RunCompleted',
        attributes: expect.objectContaining({
          'microsoft.custom_event.name': 'RunCompleted',
          runId: 'run-1',
          status: 'succeeded',
        }),
      },
    ]);
  } finally {
    await t.shutdown();
  }
});
