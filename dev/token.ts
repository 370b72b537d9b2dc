import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../shared/model/identity';
import { signLocalToken } from './localAuth';

const USAGE = `Usage: npm run --silent token -- --role <role> [--role <role>...] [--sub <id>] [--name <name>] [--expires-in <seconds>]
Prints a bearer token the local stack accepts (and nothing else on stdout).
Roles: ${ROLES.join(', ')} (a comma-separated list also works).`;

/** Parses the command line; throws with a message for the user on a bad one. */
export function parseTokenArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string', multiple: true, short: 'r' },
      sub: { type: 'string' },
      name: { type: 'string' },
      'expires-in': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { help: true as const };
  const roles = (values.role ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  if (roles.length === 0) throw new Error('Name at least one --role.');
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  if (unknown.length > 0) throw new Error(`Unknown role(s): ${unknown.join(', ')}.`);
  const expiresIn = values['expires-in'] === undefined ? 3600 : Number(values['expires-in']);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0)
    throw new Error('--expires-in must be a positive whole number of seconds.');
  return { help: false as const, roles, sub: values.sub, name: values.name, expiresInSeconds: expiresIn };
}

/** The command: prints a token for the local stack on stdout, usage errors on stderr. */
export async function runTokenCli(): Promise<void> {
  let args: ReturnType<typeof parseTokenArgs>;
  try {
    args = parseTokenArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const token = await signLocalToken({
    roles: args.roles,
    sub: args.sub,
    name: args.name,
    expiresInSeconds: args.expiresInSeconds,
  });
  process.stdout.write(`${token}\n`);
}

if (require.main === module) {
  runTokenCli().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
