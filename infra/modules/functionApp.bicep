@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (also its default host name prefix).')
param appName string
param location string
param tags object

@description('Service name `azd deploy` looks the function app up by (tag azd-service-name, on the site only).')
param azdServiceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Blob container URL holding the deployment package, e.g. https://<account>.blob.core.windows.net/deployments.')
param deploymentContainerUrl string

@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Most instances per scale group (HTTP, and each other trigger type): Flex Consumption scales them apart.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('App settings as name/value pairs. Never secrets: the app reads those from Key Vault.')
param appSettings object

@description('Public base URL of the app; empty: https:// and the default host name Azure gives the site.')
param publicBaseUrl string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// New apps may get a unique default host name (<name>-<hash>.<region>.azurewebsites.net), and other
// clouds other suffixes: the URL comes from the site, so the settings are a child resource after it.
var baseUrl = empty(publicBaseUrl) ? 'https://${site.properties.defaultHostName}' : publicBaseUrl

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(appSettings, { PUBLIC_BASE_URL: baseUrl })
}

// Deployments authenticate with Entra ID only: no FTP, no basic-auth publishing to SCM. The resource
// provider rejects these policies without a location, although the type declares none.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  #disable-next-line BCP187
  location: location
  properties: { allow: false }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  #disable-next-line BCP187
  location: location
  properties: { allow: false }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output baseUrl string = baseUrl
