import { redact } from '../shared/logging/logger';
import { startLocalStack, type LocalStack } from './localStack';
import type { HostLogLevel } from './localHost/invoker';

/** `npm start`: the embedded local stack in the foreground until Ctrl+C. */
async function main(): Promise<void> {
  const verbose = process.env.LOG_LEVEL === 'debug';
  const log = (level: HostLogLevel, message: string, functionName?: string) => {
    if (level === 'debug' && !verbose) return;
    const line = `[${new Date().toISOString()}] ${functionName ? `[${functionName}] ` : ''}${redact(message)}`;
    (level === 'error' ? console.error : level === 'warn' ? console.warn : console.log)(line);
  };

  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      log,
      restoreEnvironment: false,
      persist: process.argv.includes('--persist'),
    });
  } catch (error) {
    console.error(`The local stack did not start: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const seconds = process.uptime().toFixed(1); // since the node process started
  const description = stack.host.describe();
  const { urls } = stack;
  const lines = [
    '',
    `Local stack up in ${seconds} s`,
    urls.azurite
      ? `  Azurite          blob ${urls.azurite.blob}\n                   queue ${urls.azurite.queue}\n                   table ${urls.azurite.table}`
      : '  Storage          AzureWebJobsStorage from the environment',
    ...(urls.azurite
      ? [
          `  Azurite data     ${stack.azuriteData ?? 'in memory (npm start -- --persist keeps it in .local/azurite)'}`,
        ]
      : []),
    `  RollWorks        ${urls.rollworks}${stack.simulator ? ' (simulator; sign in as demo / demo-password)' : ' (from ROLLWORKS_API_BASE_URL)'}`,
    `  Functions host   ${urls.functions}`,
    `  Console          ${urls.console} (local sign-in: type a name, pick a role)`,
    `  JWKS             ${urls.jwks}`,
    `  Function key     ${stack.settings.FUNCTIONS_KEY} (x-functions-key, for function-level routes)`,
    '',
    'Functions:',
    ...description.http.map(
      (route) =>
        `  ${route.functionName}: ${route.methods === 'any' ? 'ANY' : route.methods.join(',')} ${urls.functions}${route.path}${route.authLevel === 'anonymous' ? '' : ` [${route.authLevel}]`}`,
    ),
    ...description.timers.map((timer) => `  ${timer.functionName}: timer ${timer.schedule}`),
    ...description.queues.map((queue) => `  ${queue.functionName}: queue ${queue.queueName}`),
    ...description.unsupported.map(
      (entry) => `  ${entry.functionName}: ${entry.triggerType} (not run locally)`,
    ),
    '',
    'Get an access token for the API: npm run token (then curl -H "Authorization: Bearer <token>" ...)',
    `Try: curl ${urls.api}/health`,
    'Ctrl+C stops the stack.',
    '',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping (waiting for running invocations)...`);
    stack.stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`Stopping failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
