import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, configSchema, loadConfig, runsInAzure } from '../../shared/config/config';
import { CLIENT_SECRET_NAME } from '../../shared/secrets/secretStore';
import { evaluate } from './armExpression';
import {
  type ArmResource,
  type ArmTemplate,
  type Json,
  ROOT,
  allResources,
  compileMainTemplate,
  ofType,
  roleDefinitionGuid,
  single,
} from './armTemplate';

// Azure built-in role definition ids (constants of the platform).
const ROLE = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

// Settings the Flex Consumption plan rejects or ignores (runtime and package come from functionAppConfig).
const REJECTED_ON_FLEX = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_TIME_ZONE',
];

let template: ArmTemplate;
let functionAppModule: ArmResource;
let appSettings: Record<string, Json>;

beforeAll(() => {
  template = compileMainTemplate();
  functionAppModule = moduleDeclaring('Microsoft.Web/sites');
  // main.bicep passes these; the module adds PUBLIC_BASE_URL, which only the deployed site knows.
  appSettings = {
    ...functionAppModule.properties.parameters.appSettings.value,
    PUBLIC_BASE_URL: "[reference('site').defaultHostName]",
  };
}, 180_000);

/** The top-level module deployment whose template declares a resource of this type. */
function moduleDeclaring(type: string): ArmResource {
  const modules = ofType(template, 'Microsoft.Resources/deployments').filter(({ resource }) =>
    allResources(resource.properties.template).some(({ resource: inner }) => inner.type === type),
  );
  if (modules.length !== 1) throw new Error(`expected one module declaring ${type}, found ${modules.length}`);
  return modules[0].resource;
}

/** Module parameter value as passed by main.bicep, evaluated where it is known before deployment. */
const moduleParameter = (module: ArmResource, name: string): Json =>
  evaluate(module.properties.parameters[name]?.value, template);

/** A value of the right shape for a setting whose value is only known at deployment time. */
function placeholderFor(name: string): string {
  const candidates = ['https://placeholder.example.net', '1', 'placeholder'];
  const schema = (configSchema.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>)[
    name
  ];
  return candidates.find((candidate) => schema?.safeParse(candidate).success) ?? 'placeholder';
}

/** What Flex Consumption itself sets in the app's environment (no WEBSITE_INSTANCE_ID there). */
const FLEX_ENVIRONMENT = {
  WEBSITE_SKU: 'FlexConsumption',
  WEBSITE_SITE_NAME: 'func-placeholder',
  CONTAINER_NAME: 'c1',
};

/** The app settings as the running app sees them on Flex Consumption. */
function deployedEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...FLEX_ENVIRONMENT };
  for (const [name, value] of Object.entries(appSettings)) {
    const known = evaluate(value, template);
    env[name] = typeof known === 'string' || typeof known === 'number' ? String(known) : placeholderFor(name);
  }
  return env;
}

function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

const problemSetting = (problem: string): string => problem.split(':')[0];

describe('function app settings (compiled main.bicep)', () => {
  it('satisfy the app configuration schema in Azure mode: Key Vault secrets and Entra ID callers', () => {
    const config = loadConfig(deployedEnvironment());
    expect(runsInAzure(config)).toBe(true);
    expect(config.SECRET_STORE).toBe('keyVault');
    expect(config.AUTH_MODE).toBe('entra');
    expect(config.AzureWebJobsStorage).toBeUndefined();
  });

  it('set every setting the configuration requires in Azure, and each one is load-bearing', () => {
    const required = configProblems({ ...FLEX_ENVIRONMENT }).map(problemSetting);
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(Object.keys(appSettings)).toContain(name);

    for (const name of required) {
      const env = deployedEnvironment();
      delete env[name];
      expect(configProblems(env).map(problemSetting)).toContain(name);
    }
  });

  it('connect to storage with the user-assigned identity (no connection string)', () => {
    expect(appSettings).not.toHaveProperty('AzureWebJobsStorage');
    for (const service of ['blob', 'queue', 'table']) {
      expect(appSettings[`AzureWebJobsStorage__${service}ServiceUri`]).toMatch(/outputs\.\w+Endpoint\.value/);
    }
    expect(appSettings.AzureWebJobsStorage__credential).toBe('managedidentity');
    expect(appSettings.AzureWebJobsStorage__clientId).toMatch(/'identity'.*outputs\.clientId\.value/);
    expect(appSettings.AZURE_CLIENT_ID).toBe(appSettings.AzureWebJobsStorage__clientId);
    expect(appSettings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toMatch(
      /^\[format\('ClientId=\{0\};Authorization=AAD', .*outputs\.clientId\.value\)\]$/,
    );
  });

  it('hold no secret, key or SAS, and the client secret parameter only reaches Key Vault', () => {
    for (const [name, value] of Object.entries(appSettings)) {
      expect(name).not.toMatch(/CLIENT_SECRET|SECRET_KEY|PASSWORD|ACCOUNT_?KEY/i);
      expect(String(value)).not.toMatch(
        /AccountKey=|SharedAccessSignature|SharedAccessKey|[?&]sig=|listKeys\(|listSecrets\(|listConnectionStrings\(|secret/i,
      );
    }
    const mainJson = JSON.stringify(template);
    expect(mainJson).not.toMatch(/listKeys\(|listAccountSas\(|listServiceSas\(/);

    const receivers = ofType(template, 'Microsoft.Resources/deployments').filter(({ resource }) =>
      JSON.stringify(resource.properties.parameters ?? {}).includes("parameters('rollWorksClientSecret')"),
    );
    expect(receivers.map(({ resource }) => resource.name)).toEqual(['key-vault']);
    const keyVaultModule = receivers[0].resource;
    expect(keyVaultModule.properties.template.parameters.rollWorksClientSecret.type).toBe('securestring');
    expect(moduleParameter(keyVaultModule, 'clientSecretName')).toBe(CLIENT_SECRET_NAME);
    expect(template.parameters.rollWorksClientSecret.type).toBe('securestring');
  });

  it('contain no setting that Flex Consumption rejects or ignores', () => {
    for (const name of REJECTED_ON_FLEX) expect(appSettings).not.toHaveProperty(name);
  });

  it("are the site's appsettings child resource, and PUBLIC_BASE_URL comes from the default host name Azure gave it", () => {
    const site = single(template, 'Microsoft.Web/sites').resource;
    expect(site.properties.siteConfig).not.toHaveProperty('appSettings');
    const settings = single(template, 'Microsoft.Web/sites/config').resource;
    expect(settings.name).toMatch(/'appsettings'\)\]$/);
    expect(settings.properties).toMatch(
      /^\[union\(parameters\('appSettings'\), createObject\('PUBLIC_BASE_URL', /,
    );
    const baseUrl = functionAppModule.properties.template.outputs.baseUrl.value as string;
    expect(baseUrl).toContain(
      "format('https://{0}', reference(resourceId('Microsoft.Web/sites', parameters('appName'))",
    );
    expect(baseUrl).toContain('.defaultHostName)');
    expect(baseUrl).not.toContain('azurewebsites.net');
    expect(settings.properties).toContain(baseUrl.slice(1, -1));
    expect(JSON.stringify(template).includes('azurewebsites.net')).toBe(false);
  });

  it('name the OAuth redirect URI the app builds from PUBLIC_BASE_URL', () => {
    expect(template.outputs?.rollWorksRedirectUri.value).toMatch(
      /^\[format\('\{0\}\/api\/oauth\/rollworks\/callback', reference\([^)]*'function-?app'[^)]*\)\.outputs\.baseUrl\.value\)\]$/i,
    );
    expect(template.outputs?.functionAppUrl.value).toMatch(/^\[format\('https:\/\/\{0\}'/);
  });

  it("name the console's SPA redirect URI, the page the console signs in from", () => {
    expect(template.outputs?.consoleRedirectUri.value).toMatch(
      /^\[format\('\{0\}\/api\/console\/', reference\([^)]*'function-?app'[^)]*\)\.outputs\.baseUrl\.value\)\]$/i,
    );
  });

  it('hand the logLevel parameter to the host, which filters what functions log in Azure', () => {
    expect(appSettings).not.toHaveProperty('LOG_LEVEL');
    expect(appSettings.AzureFunctionsJobHost__logging__logLevel__Function).toBe(
      "[variables('hostLogLevels')[parameters('logLevel')]]",
    );
    const levels = template.variables?.hostLogLevels as Record<string, string>;
    expect(Object.keys(levels).sort()).toEqual(
      [...(template.parameters.logLevel.allowedValues as string[])].sort(),
    );
    expect(levels).toEqual({ debug: 'Debug', info: 'Information', warn: 'Warning', error: 'Error' });
  });
});

describe('hosting (Flex Consumption)', () => {
  it('runs Node 22 on a Linux FC1 plan, HTTPS only, FTP and basic publishing credentials off', () => {
    const plan = single(template, 'Microsoft.Web/serverfarms').resource;
    expect(plan.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    expect(plan.properties.reserved).toBe(true);

    const site = single(template, 'Microsoft.Web/sites').resource;
    expect(site.kind).toBe('functionapp,linux');
    expect(site.identity.type).toBe('UserAssigned');
    expect(site.properties.httpsOnly).toBe(true);
    expect(site.properties.siteConfig.ftpsState).toBe('Disabled');
    expect(site.properties.siteConfig.minTlsVersion).toBe('1.2');
    const flex = site.properties.functionAppConfig;
    expect(flex.runtime).toEqual({ name: 'node', version: '22' });
    expect(flex.deployment.storage.type).toBe('blobContainer');
    expect(flex.deployment.storage.authentication.type).toBe('UserAssignedIdentity');
    expect(flex.scaleAndConcurrency.instanceMemoryMB).toBe("[parameters('instanceMemoryMB')]");
    expect(flex.scaleAndConcurrency.maximumInstanceCount).toBe("[parameters('maximumInstanceCount')]");
    expect(template.parameters.instanceMemoryMB).toBeDefined();
    expect(template.parameters.maximumInstanceCount).toBeDefined();

    const policies = ofType(template, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies').map(
      ({ resource }) => ({
        name: resource.name.match(/'(ftp|scm)'\)\]$/)?.[1],
        allow: resource.properties.allow,
      }),
    );
    expect(policies).toEqual(
      expect.arrayContaining([
        { name: 'ftp', allow: false },
        { name: 'scm', allow: false },
      ]),
    );
    expect(policies).toHaveLength(2);
    // The resource provider rejects these policies without a location.
    for (const { resource } of ofType(template, 'Microsoft.Web/sites/basicPublishingCredentialsPolicies')) {
      expect(resource.location).toBe("[parameters('location')]");
    }
  });

  it('lets each Flex scale group grow to at least 40 instances, as the platform requires', () => {
    expect(template.parameters.maximumInstanceCount.minValue).toBe(40);
    expect(functionAppModule.properties.template.parameters.maximumInstanceCount.minValue).toBe(40);
  });

  it('is tagged once for azd (exactly one resource carries azd-service-name)', () => {
    const tagged = allResources(template).filter(({ resource }) =>
      JSON.stringify(resource.tags ?? '').includes('azd-service-name'),
    );
    expect(tagged.map(({ resource }) => resource.type)).toEqual(['Microsoft.Web/sites']);
  });
});

describe('storage, Key Vault and monitoring', () => {
  it('storage accepts Entra ID only: no shared keys, no public blobs, TLS 1.2, HTTPS', () => {
    const storage = single(template, 'Microsoft.Storage/storageAccounts').resource.properties;
    expect(storage.allowSharedKeyAccess).toBe(false);
    expect(storage.allowBlobPublicAccess).toBe(false);
    expect(storage.minimumTlsVersion).toBe('TLS1_2');
    expect(storage.supportsHttpsTrafficOnly).toBe(true);
  });

  it('creates the export, webhook and deactivation queues and their poison queues, the containers and every table the app uses', () => {
    const storageModule = moduleDeclaring('Microsoft.Storage/storageAccounts/queueServices/queues');
    const queueName = evaluate(appSettings.EXPORT_QUEUE_NAME, template);
    const webhookQueueName = evaluate(appSettings.WEBHOOK_QUEUE_NAME, template);
    const deactivationQueueName = evaluate(appSettings.DEACTIVATION_QUEUE_NAME, template);
    expect(moduleParameter(storageModule, 'queueNames')).toEqual([
      queueName,
      `${queueName}-poison`,
      webhookQueueName,
      `${webhookQueueName}-poison`,
      deactivationQueueName,
      `${deactivationQueueName}-poison`,
    ]);

    // containerNames is computed (the segments container only without an existing segments account).
    expect(storageModule.properties.parameters.containerNames.value).toBe("[variables('containerNames')]");
    const containers = JSON.stringify(template.variables?.containerNames);
    for (const setting of ['STATE_CONTAINER', 'SEGMENTS_CONTAINER']) {
      expect(containers).toContain(appSettings[setting].slice(1, -1));
    }
    expect(containers).toContain("variables('deploymentContainerName')");

    const tables: string[] = moduleParameter(storageModule, 'tableNames');
    for (const table of tablesInAppCode()) expect(tables).toContain(table);
  });

  it('a lifecycle rule deletes only rejection reports, a week after the app should have; never snapshots', () => {
    const storageModule = moduleDeclaring('Microsoft.Storage/storageAccounts/managementPolicies');
    const policy = single(template, 'Microsoft.Storage/storageAccounts/managementPolicies').resource;
    const [rule, ...others] = policy.properties.policy.rules;
    expect(others).toEqual([]);
    expect(rule).toMatchObject({ enabled: true, type: 'Lifecycle' });
    expect(rule.definition.filters).toEqual({
      blobTypes: ['blockBlob'],
      prefixMatch: ["[parameters('rejectionReportsPrefix')]"],
    });
    const stateContainer = evaluate(appSettings.STATE_CONTAINER, template);
    expect(moduleParameter(storageModule, 'rejectionReportsPrefix')).toBe(`${stateContainer}/rejections/`);
    expect(rule.definition.actions).toEqual({
      baseBlob: {
        delete: { daysAfterModificationGreaterThan: "[parameters('rejectionReportsDeleteAfterDays')]" },
      },
    });
    // The rule follows the app's setting: both come from the rejectionRetentionDays parameter.
    expect(appSettings.REJECTION_RETENTION_DAYS).toBe("[string(parameters('rejectionRetentionDays'))]");
    expect(storageModule.properties.parameters.rejectionReportsDeleteAfterDays.value).toBe(
      "[add(parameters('rejectionRetentionDays'), 7)]",
    );
    expect(template.parameters?.rejectionRetentionDays).toMatchObject({ defaultValue: 14 });
  });

  it('Key Vault uses RBAC, soft delete and purge protection; App Insights has local auth off', () => {
    const vault = single(template, 'Microsoft.KeyVault/vaults').resource.properties;
    expect(vault.enableRbacAuthorization).toBe(true);
    expect(vault.enableSoftDelete).toBe(true);
    expect(vault.enablePurgeProtection).toBe(true);
    expect(single(template, 'Microsoft.KeyVault/vaults/secrets').resource.properties.value).toBe(
      "[parameters('rollWorksClientSecret')]",
    );
    expect(single(template, 'Microsoft.Insights/components').resource.properties.DisableLocalAuth).toBe(true);
  });
});

describe('role assignments', () => {
  const assignments = () => ofType(template, 'Microsoft.Authorization/roleAssignments');

  it('grant exactly the named data-plane roles, with guid() names, to the app identity', () => {
    const roles = assignments().map(roleDefinitionGuid);
    expect(new Set(roles)).toEqual(new Set(Object.values(ROLE)));
    for (const { resource } of assignments()) {
      expect(resource.name).toMatch(/^\[guid\(/);
      expect(resource.properties.principalId).toBe("[parameters('principalId')]");
      expect(resource.properties.principalType).toBe('ServicePrincipal');
    }
  });

  it('are scoped to the narrowest resource that works', () => {
    const scopeOf = (role: string): string[] =>
      assignments()
        .filter((located) => roleDefinitionGuid(located) === role)
        .map(({ resource }) => String(resource.scope));
    const only = (role: string, pattern: RegExp): void => {
      const scopes = scopeOf(role);
      expect(scopes.length).toBeGreaterThan(0);
      for (const scope of scopes) expect(scope).toMatch(pattern);
    };
    only(ROLE.storageBlobDataOwner, /^\[resourceId\('Microsoft\.Storage\/storageAccounts', /);
    only(ROLE.storageTableDataContributor, /^\[resourceId\('Microsoft\.Storage\/storageAccounts', /);
    // The queue service: the poison function's failures go to <queue>-poison-poison, created on first use.
    only(
      ROLE.storageQueueDataContributor,
      /^\[resourceId\('Microsoft\.Storage\/storageAccounts\/queueServices', /,
    );
    only(ROLE.storageBlobDataReader, /'Microsoft\.Storage\/storageAccounts\/blobServices\/containers'/);
    only(ROLE.keyVaultSecretsOfficer, /'Microsoft\.KeyVault\/vaults'/);
    only(ROLE.monitoringMetricsPublisher, /'Microsoft\.Insights\/components'/);
  });
});

/** Table names in the app code (`export const X_TABLE = '...'`, `.table('...')`), except local-only ones. */
function tablesInAppCode(): string[] {
  const names: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts')) {
        const source = fs.readFileSync(file, 'utf8');
        for (const match of source.matchAll(/export const (\w+_TABLE)\s*=\s*'(\w+)'/g)) {
          if (!match[1].startsWith('LOCAL_')) names.push(match[2]);
        }
        // Inline names: storage.table('name') or storage.table(option ?? 'name').
        for (const match of source.matchAll(/\.table\(\s*(?:[\w.]+\s*\?\?\s*)?'(\w+)'/g))
          names.push(match[1]);
      }
    }
  };
  walk(path.join(ROOT, 'shared'));
  expect(names.length).toBeGreaterThan(0);
  return names;
}
