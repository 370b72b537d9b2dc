import { runDemoCli } from './demo/cli';
import { stdoutOutput } from './demo/output';

/**
 * `npm run demo`: the whole product on the embedded stack, from generated segments to checked
 * RollWorks audiences. Sizes: DEMO_BIG_SEGMENT_SIZE (250000), DEMO_NEWSLETTER_SEGMENT_SIZE (5000),
 * DEMO_VIP_SEGMENT_SIZE (60), DEMO_MUTATE_SHARE (0.05); DEMO_FREE_PORTS=1 skips the default ports.
 */
const out = stdoutOutput();
// A closed pipe (`npm run demo | head`) must not kill the demo before it stops the stack's child processes.
process.stdout.on('error', () => undefined);
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  out.write('\nInterrupted: stopping the stack (Ctrl+C again to quit at once)...\n');
  interrupt.abort();
});

runDemoCli(process.env, out, { signal: interrupt.signal }).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
