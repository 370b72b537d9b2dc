import { roleIds } from 'roleIds.bicep'

@description('Name of the Key Vault (3-24 characters).')
param name string
param location string
param tags object

@description('Resource id of the app identity; known before deployment, so role assignment names are stable.')
param identityId string

@description('Principal id of the app identity; it reads the client secret and writes RollWorks tokens.')
param principalId string

@secure()
@description('RollWorks OAuth client secret. Empty keeps the secret already in the vault.')
param rollWorksClientSecret string

@description('Name of the secret holding the RollWorks client secret (the app reads this name).')
param clientSecretName string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource clientSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(rollWorksClientSecret)) {
  parent: vault
  name: clientSecretName
  properties: {
    value: rollWorksClientSecret
    contentType: 'RollWorks OAuth client secret'
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityId, roleIds.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsOfficer)
  }
}

output uri string = vault.properties.vaultUri
output name string = vault.name
