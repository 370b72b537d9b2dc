import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const BICEP_PACKAGES = path.join(ROOT, '.tools', 'bicep', 'packages', 'azure.bicep.commandline.linux-x64');

/** Compiled ARM JSON is untyped by nature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ArmResource {
  type: string;
  name: string;
  scope?: string;
  properties?: Json;
  [key: string]: Json;
}

export interface ArmTemplate {
  variables?: Json;
  resources: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, { value: unknown }>;
  [key: string]: Json;
}

/** A resource and the (possibly nested module) template that declares it. */
export interface Located {
  resource: ArmResource;
  template: ArmTemplate;
}

function findBicep(): string | undefined {
  if (!fs.existsSync(BICEP_PACKAGES)) return undefined;
  for (const version of fs.readdirSync(BICEP_PACKAGES).sort().reverse()) {
    const candidate = path.join(BICEP_PACKAGES, version, 'tools', 'bicep');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The Bicep CLI from .tools; restored through `infra/scripts/check.sh` when missing (throws if that fails). */
export function bicepCli(): string {
  let bicep = findBicep();
  if (!bicep) {
    execFileSync('bash', ['infra/scripts/check.sh'], { cwd: ROOT, stdio: 'pipe' });
    bicep = findBicep();
  }
  if (!bicep) throw new Error('Bicep CLI not found after infra/scripts/check.sh');
  fs.chmodSync(bicep, 0o755);
  return bicep;
}

/** Compiles infra/main.bicep with the real Bicep CLI and returns the ARM template. */
export function compileMainTemplate(): ArmTemplate {
  const bicep = bicepCli();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rwx-arm-'));
  try {
    const outfile = path.join(dir, 'main.json');
    execFileSync(bicep, ['build', path.join(ROOT, 'infra', 'main.bicep'), '--outfile', outfile], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    return JSON.parse(fs.readFileSync(outfile, 'utf8')) as ArmTemplate;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const resourcesOf = (template: ArmTemplate): ArmResource[] =>
  Array.isArray(template.resources) ? template.resources : Object.values(template.resources ?? {});

/** Every resource in the template and in its nested module templates. */
export function allResources(template: ArmTemplate): Located[] {
  const found: Located[] = [];
  for (const resource of resourcesOf(template)) {
    found.push({ resource, template });
    const nested = resource.properties?.template as ArmTemplate | undefined;
    if (resource.type === 'Microsoft.Resources/deployments' && nested) found.push(...allResources(nested));
  }
  return found;
}

/** Resources of a type that the deployment creates (references to `existing` resources left out). */
export const ofType = (template: ArmTemplate, type: string): Located[] =>
  allResources(template).filter(
    ({ resource }) => !resource.existing && resource.type.toLowerCase() === type.toLowerCase(),
  );

/** The only resource of a type; fails when there is none or more than one. */
export function single(template: ArmTemplate, type: string): Located {
  const matches = ofType(template, type);
  if (matches.length !== 1) throw new Error(`expected one ${type}, found ${matches.length}`);
  return matches[0];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The role definition GUID of a role assignment: a literal GUID or `variables('x').y` of its template. */
export function roleDefinitionGuid({ resource, template }: Located): string {
  const expression = String(resource.properties?.roleDefinitionId ?? '');
  const literal = expression.match(/'([0-9a-f-]{36})'/i);
  if (literal && GUID.test(literal[1])) return literal[1].toLowerCase();
  const variable = expression.match(/variables\('(\w+)'\)\.(\w+)/);
  if (!variable) throw new Error(`cannot resolve role definition of ${resource.name}: ${expression}`);
  const value = template.variables?.[variable[1]]?.[variable[2]];
  if (typeof value !== 'string' || !GUID.test(value)) {
    throw new Error(`role definition ${variable[1]}.${variable[2]} is not a GUID: ${String(value)}`);
  }
  return value.toLowerCase();
}
