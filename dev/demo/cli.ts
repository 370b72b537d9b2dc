import { redact } from '../../shared/logging/logger';
import { ApiCallError } from './apiClient';
import type { DemoOutput } from './output';
import { DemoError, demoOptionsFromEnv, runDemo, type DemoOptions } from './runDemo';

/**
 * The demo as a command: options from the environment, the failure explained on stderr in one
 * message. Returns the exit code: 0 when every step and check passed, 130 when interrupted, else 1.
 */
export async function runDemoCli(
  env: NodeJS.ProcessEnv,
  out: DemoOutput,
  overrides: Partial<DemoOptions> = {},
  writeError: (text: string) => void = (text) => void process.stderr.write(text),
): Promise<number> {
  try {
    await runDemo({ ...demoOptionsFromEnv(env, out), ...overrides });
    return 0;
  } catch (error) {
    const message =
      error instanceof DemoError || error instanceof ApiCallError
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    writeError(`\nDemo failed: ${redact(message)}\n`);
    return overrides.signal?.aborted ? 130 : 1;
  }
}
