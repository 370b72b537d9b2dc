// rollworks-export: Azure Functions (Flex Consumption) app that exports segments to RollWorks audiences.
// Everything runs as one user-assigned managed identity; no keys or connection strings anywhere.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(20)
@description('Short environment name (dev, prod...). Part of every resource name; `azd` sets it.')
param environmentName string

@description('Region of every resource. Must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Tags added to every resource.')
param tags object = {}

// --- RollWorks -------------------------------------------------------------------------------

@minLength(1)
@description('OAuth client id of the RollWorks application (also sent as `apikey`).')
param rollWorksClientId string

@secure()
@description('OAuth client secret of the RollWorks application; stored in Key Vault only. Empty keeps the secret already there.')
param rollWorksClientSecret string = ''

@description('RollWorks API host.')
param rollWorksApiBaseUrl string = 'https://services.adroll.com'

@description('RollWorks OAuth host (authorize and token endpoints).')
param rollWorksAuthBaseUrl string = 'https://services.adroll.com'

@minValue(1)
@description('RollWorks requests per UTC day shared by all connections.')
param rollWorksDailyRequestBudget int = 100

// --- Callers (Microsoft Entra ID) ------------------------------------------------------------

@description('Expected `iss` of callers\' access tokens (v2.0 issuer of this tenant by default).')
param entraIssuer string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

@minLength(1)
@description('Expected `aud` of callers\' access tokens: the Application (client) ID of the app registration that defines the Exports.* app roles.')
param entraAudience string

@description('Origin the app is reached at (custom domain or front door). Empty: https:// and the default host name Azure gives the app.')
param publicBaseUrl string = ''

// --- Schedules and limits --------------------------------------------------------------------

@description('NCRONTAB (six fields, UTC) of the timer that starts due scheduled runs.')
param schedulerCron string = '0 */5 * * * *'

@description('System refresh schedule (NCRONTAB) that exports without their own schedule follow.')
param systemRefreshCron string = '0 0 2 * * *'

@description('IANA time zone of systemRefreshCron.')
param systemRefreshTimeZone string = 'UTC'

@minValue(1)
param segmentMinProfiles int = 100

@minValue(1)
param segmentMaxProfiles int = 250000

@minValue(1)
@description('Re-send an unchanged audience after this many days (RollWorks expires audiences after 120).')
param resendAfterDays int = 90

@minValue(1)
@description('Runs, webhook deliveries and events older than this many days are deleted (each export keeps its latest 10 runs).')
param runRetentionDays int = 90

@minValue(1)
@description('Rejection reports older than this many days are deleted; a storage lifecycle rule deletes any left 7 days later.')
param rejectionRetentionDays int = 14

@description('Largest share (0..1, as text) of an audience one run may remove without `force`.')
param massRemovalMaxShare string = '0.2'

@allowed(['debug', 'info', 'warn', 'error'])
param logLevel string = 'info'

// --- Hosting ---------------------------------------------------------------------------------

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Most instances per scale group: Flex Consumption scales HTTP functions, the queue worker and the timers apart, each up to this count.')
param maximumInstanceCount int = 40

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param storageSkuName string = 'Standard_LRS'

@minValue(30)
param logRetentionInDays int = 30

@description('E-mail addresses of the administrators told when a segment fails, a connection needs signing in again, the daily budget is used up or an export is overdue.')
param alertEmailReceivers string[] = []

// --- Segments --------------------------------------------------------------------------------

@description('Existing storage account the upstream platform writes segments to. Empty: a `segments` container in the app storage account.')
param existingSegmentsStorageAccountName string = ''

@description('Resource group of the existing segments storage account.')
param existingSegmentsResourceGroupName string = resourceGroup().name

@description('Subscription of the existing segments storage account.')
param existingSegmentsSubscriptionId string = subscription().subscriptionId

@description('Container with one folder per segment.')
param segmentsContainerName string = 'segments'

// --- Names -----------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var baseName = 'rwx-${toLower(environmentName)}'
var functionAppName = 'func-${baseName}-${resourceToken}'
var identityName = 'id-${baseName}-${resourceToken}'
// Known before deployment (unlike the principal id), so role assignment names are stable and What-If precise.
var identityResourceId = resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', identityName)
var useExistingSegmentsAccount = !empty(existingSegmentsStorageAccountName)

// The custom events the app emits for alerts (shared/telemetry/telemetry.ts ALERT_EVENTS).
var alertEvents = {
  segmentFailed: 'SegmentFailed'
  reauthorizationRequired: 'ConnectionReauthorizationRequired'
  budgetExhausted: 'DailyBudgetExhausted'
  exportOverdue: 'ExportOverdue'
}

var hostLogLevels = { debug: 'Debug', info: 'Information', warn: 'Warning', error: 'Error' }

var exportQueueName = 'export-segments'
var webhookQueueName = 'webhook-deliveries'
var deactivationQueueName = 'audience-deactivations'
var stateContainerName = 'export-state'
var deploymentContainerName = 'deployments'
var clientSecretName = 'rollworks-client-secret'

// Tables the app reads and writes (the `*_TABLE` constants and `.table('...')` names in shared/; a test
// keeps them in step).
// The app also creates any missing table itself on first use; creating them here makes a fresh
// environment complete before the first request.
var tableNames = [
  'connections'
  'oauthstates'
  'tokenleases'
  'exports'
  'runs'
  'runhistory'
  'idempotency'
  'scheduler'
  'segmentWork'
  'SegmentStats'
  'audiences'
  'quota'
  'webhooks'
  'webhookdeliveries'
  'webhookevents'
  'eventstates'
  'matchreports'
  'segmentVersions'
  'discontinued'
]

var containerNames = concat(
  [deploymentContainerName, stateContainerName],
  useExistingSegmentsAccount ? [] : [segmentsContainerName]
)

// --- Resources -------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('strwx${resourceToken}', 24)
    location: location
    tags: tags
    skuName: storageSkuName
    queueNames: [
      exportQueueName
      '${exportQueueName}-poison'
      webhookQueueName
      '${webhookQueueName}-poison'
      deactivationQueueName
      '${deactivationQueueName}-poison'
    ]
    // The app deletes reports after rejectionRetentionDays; the lifecycle rule is the second line.
    rejectionReportsPrefix: '${stateContainerName}/rejections/'
    rejectionReportsDeleteAfterDays: rejectionRetentionDays + 7
    tableNames: tableNames
    containerNames: containerNames
    identityId: identityResourceId
    principalId: identity.outputs.principalId
  }
}

module segmentsReader 'modules/segmentsReader.bicep' = if (useExistingSegmentsAccount) {
  // Deployed into another team's resource group: a name unique to this environment.
  name: 'rollworks-export-segments-reader-${resourceToken}'
  scope: resourceGroup(existingSegmentsSubscriptionId, existingSegmentsResourceGroupName)
  params: {
    storageAccountName: existingSegmentsStorageAccountName
    containerName: segmentsContainerName
    identityId: identityResourceId
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'key-vault'
  params: {
    name: take('kv-rwx-${resourceToken}', 24)
    location: location
    tags: tags
    identityId: identityResourceId
    principalId: identity.outputs.principalId
    rollWorksClientSecret: rollWorksClientSecret
    clientSecretName: clientSecretName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${baseName}-${resourceToken}'
    applicationInsightsName: 'appi-${baseName}-${resourceToken}'
    location: location
    tags: tags
    identityId: identityResourceId
    principalId: identity.outputs.principalId
    retentionInDays: logRetentionInDays
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: '${baseName}-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    emailReceivers: alertEmailReceivers
    events: alertEvents
  }
}

var segmentsBlobEndpoint = useExistingSegmentsAccount
  ? segmentsReader!.outputs.blobEndpoint
  : storage.outputs.blobEndpoint

module functionApp 'modules/functionApp.bicep' = {
  name: 'function-app'
  params: {
    planName: 'plan-${baseName}-${resourceToken}'
    appName: functionAppName
    location: location
    tags: tags
    azdServiceName: 'api'
    identityId: identity.outputs.id
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    publicBaseUrl: publicBaseUrl
    // Flex Consumption sets the runtime from functionAppConfig and rejects or ignores
    // FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_NODE_DEFAULT_VERSION,
    // WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT* and WEBSITE_TIME_ZONE: none of them is set here.
    appSettings: {
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      AZURE_CLIENT_ID: identity.outputs.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      SECRET_STORE: 'keyVault'
      KEY_VAULT_URI: keyVault.outputs.uri
      AUTH_MODE: 'entra'
      ENTRA_ISSUER: entraIssuer
      ENTRA_AUDIENCE: entraAudience
      ROLLWORKS_CLIENT_ID: rollWorksClientId
      ROLLWORKS_API_BASE_URL: rollWorksApiBaseUrl
      ROLLWORKS_AUTH_BASE_URL: rollWorksAuthBaseUrl
      ROLLWORKS_DAILY_REQUEST_BUDGET: string(rollWorksDailyRequestBudget)
      SEGMENTS_BLOB_ENDPOINT: segmentsBlobEndpoint
      SEGMENTS_CONTAINER: segmentsContainerName
      STATE_CONTAINER: stateContainerName
      EXPORT_QUEUE_NAME: exportQueueName
      WEBHOOK_QUEUE_NAME: webhookQueueName
      DEACTIVATION_QUEUE_NAME: deactivationQueueName
      RUN_RETENTION_DAYS: string(runRetentionDays)
      REJECTION_RETENTION_DAYS: string(rejectionRetentionDays)
      SCHEDULER_CRON: schedulerCron
      WATCHDOG_CRON: '*/30 * * * * *'
      SYSTEM_REFRESH_CRON: systemRefreshCron
      SYSTEM_REFRESH_TIME_ZONE: systemRefreshTimeZone
      SEGMENT_MIN_PROFILES: string(segmentMinProfiles)
      SEGMENT_MAX_PROFILES: string(segmentMaxProfiles)
      RESEND_AFTER_DAYS: string(resendAfterDays)
      MASS_REMOVAL_MAX_SHARE: massRemovalMaxShare
      // The host filters what functions log; the app's own LOG_LEVEL is read by the local stack only.
      AzureFunctionsJobHost__logging__logLevel__Function: hostLogLevels[logLevel]
    }
  }
}

@description('URL of the function app.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('Name of the function app.')
output functionAppName string = functionApp.outputs.name

@description('Redirect URI to register with the RollWorks application.')
output rollWorksRedirectUri string = '${functionApp.outputs.baseUrl}/api/oauth/rollworks/callback'

@description('Redirect URI of the admin console: register it on the app registration as a single-page application (SPA) platform.')
output consoleRedirectUri string = '${functionApp.outputs.baseUrl}/api/console/'

@description('Client id of the managed identity the app runs as.')
output identityClientId string = identity.outputs.clientId

@description('Key Vault the app keeps the client secret and RollWorks tokens in.')
output keyVaultName string = keyVault.outputs.name

@description('Storage account of the app (and of the segments container unless an existing account is used).')
output storageAccountName string = storage.outputs.name

@description('Blob endpoint and container segments are read from.')
output segmentsLocation string = '${segmentsBlobEndpoint}${segmentsContainerName}'
