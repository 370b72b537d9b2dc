// Built-in Azure role definition ids, named, in one place. Each module imports only what it grants.

@export()
@description('Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).')
var roleIds = {
  // Functions host: leases, timer locks, host keys and the deployment package container.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Read-only access to segments written by the upstream platform into another account.
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  // Export queue and its poison queue (receive, delete, send, create-if-missing).
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // The app's state tables; the app creates missing tables itself, which needs account scope.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // The app writes and rotates RollWorks tokens per connection, so reading alone is not enough.
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // Entra-authenticated telemetry ingestion into Application Insights (local auth is disabled).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
