import { roleIds } from 'roleIds.bicep'

// Deployed into the resource group of an existing segments storage account (the upstream platform's):
// the app identity may read the segments container there, and nothing else.

@description('Name of the existing storage account holding segment folders.')
param storageAccountName string

@description('Container with one folder per segment; it must already exist.')
param containerName string

@description('Resource id of the app identity; known before deployment, so role assignment names are stable.')
param identityId string

@description('Principal id of the app identity.')
param principalId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource container 'containers' existing = {
      name: containerName
    }
  }
}

resource segmentsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::container.id, identityId, roleIds.storageBlobDataReader)
  scope: storage::blobService::container
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataReader)
  }
}

output blobEndpoint string = storage.properties.primaryEndpoints.blob
