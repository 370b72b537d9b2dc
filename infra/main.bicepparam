// Sample environment. Values come from environment variables where they differ per environment
// (`azd env set NAME value` or `export NAME=value` before `az deployment group create`), so this file
// holds no secret and no tenant-specific id.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param tags = {
  application: 'rollworks-export'
  environment: readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
}

// RollWorks application (https://developers.adroll.com): client id here, secret only via the environment.
param rollWorksClientId = readEnvironmentVariable('ROLLWORKS_CLIENT_ID', 'replace-with-rollworks-client-id')
param rollWorksClientSecret = readEnvironmentVariable('ROLLWORKS_CLIENT_SECRET', '')

// Entra app registration that defines the Exports.* app roles (see docs/deployment.md).
param entraAudience = readEnvironmentVariable('ENTRA_AUDIENCE', '00000000-0000-0000-0000-000000000000')

// Hosting
param instanceMemoryMB = 2048
param maximumInstanceCount = 40

// Administrators e-mailed by the alert rules (comma-separated in ALERT_EMAILS).
param alertEmailReceivers = empty(readEnvironmentVariable('ALERT_EMAILS', '')) ? [] : split(readEnvironmentVariable('ALERT_EMAILS', ''), ',')

// Schedules and limits
param schedulerCron = '0 */5 * * * *'
param systemRefreshCron = '0 0 2 * * *'
param systemRefreshTimeZone = 'Europe/Amsterdam'
param rollWorksDailyRequestBudget = 100

// Segments written by the upstream platform into its own account (empty: the app's own storage).
param existingSegmentsStorageAccountName = readEnvironmentVariable('SEGMENTS_STORAGE_ACCOUNT', '')
param existingSegmentsResourceGroupName = readEnvironmentVariable('SEGMENTS_RESOURCE_GROUP', 'rg-cdp-dev')
