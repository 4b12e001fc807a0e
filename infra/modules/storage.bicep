// The Storage account: the Functions host (AzureWebJobsStorage), the Flex Consumption deployment container and
// the hub's tables. Shared-key access is off, so only Entra ID (the managed identity) can reach it.

@description('Azure region.')
param location string

@description('Name of the Storage account (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Prefix of the hub\'s table names (State:TablePrefix): tables {prefix}syncstate and {prefix}quarantine.')
param tablePrefix string

@description('Resource id of the Log Analytics workspace that receives the account\'s diagnostics.')
param workspaceId string

@description('Private network option (main.bicep vnetEnabled): public network access off, reached through private endpoints only.')
param privateNetwork bool

@description('Tags applied to the account.')
param tags object

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: privateNetwork ? 'Deny' : 'Allow'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'
    properties: {
      deleteRetentionPolicy: { enabled: true, days: 7 }
    }

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: { publicAccess: 'None' }
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    // The names StateOptions derives: {TablePrefix}syncstate (ledger and resource state) and {TablePrefix}quarantine.
    resource syncState 'tables' = {
      name: '${tablePrefix}syncstate'
    }

    resource quarantine 'tables' = {
      name: '${tablePrefix}quarantine'
    }

    // {TablePrefix}reconciliation: run checkpoints and reports (StateOptions.ReconciliationTable).
    resource reconciliation 'tables' = {
      name: '${tablePrefix}reconciliation'
    }

    // {TablePrefix}snapshots: store records shared by an event's targets, kept minutes (StateOptions.SnapshotTable).
    resource snapshots 'tables' = {
      name: '${tablePrefix}snapshots'
    }
  }
}

// Diagnostics to the workspace: the account's transactions, and every read, write and delete on the hub's tables and
// the host's blobs (who touched the state, and the throttling the Table SDK retries hide).
// 2021-05-01-preview is the newest diagnosticSettings version; the rule would prefer the 2016-09-01 GA, whose schema
// has no categoryGroup.
#disable-next-line use-recent-api-versions
resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage
  properties: {
    workspaceId: workspaceId
    metrics: [
      { category: 'Transaction', enabled: true }
    ]
  }
}

#disable-next-line use-recent-api-versions
resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::tableService
  properties: {
    workspaceId: workspaceId
    logs: [
      { categoryGroup: 'allLogs', enabled: true }
    ]
    metrics: [
      { category: 'Transaction', enabled: true }
    ]
  }
}

#disable-next-line use-recent-api-versions
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: storage::blobService
  properties: {
    workspaceId: workspaceId
    logs: [
      { categoryGroup: 'allLogs', enabled: true }
    ]
    metrics: [
      { category: 'Transaction', enabled: true }
    ]
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
