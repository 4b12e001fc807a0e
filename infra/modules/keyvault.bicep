// Key Vault for the store secrets (webhook secrets, API tokens, the ERP password): RBAC authorisation, soft
// delete and purge protection. The template creates no secret: operators set them (see README, Deploy to Azure).

@description('Azure region.')
param location string

@description('Name of the Key Vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Days a deleted vault or secret is kept before it can be purged.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Resource id of the Log Analytics workspace that receives the vault\'s audit log.')
param workspaceId string

@description('Private network option (main.bicep vnetEnabled): public network access off, reached through private endpoints only.')
param privateNetwork bool

@description('Tags applied to the vault.')
param tags object

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    publicNetworkAccess: privateNetwork ? 'Disabled' : 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: privateNetwork ? 'Deny' : 'Allow'
    }
  }
}

// Every secret read and change (AuditEvent) and the vault's metrics, in the workspace.
// 2021-05-01-preview is the newest diagnosticSettings version; the rule would prefer the 2016-09-01 GA, whose schema
// has no categoryGroup.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      { categoryGroup: 'audit', enabled: true }
    ]
    metrics: [
      { category: 'AllMetrics', enabled: true }
    ]
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
