// The private network option (main.bicep's vnetEnabled, off by default), shaped as the Azure-Samples Flex Consumption
// azd quickstarts do it: a virtual network with a subnet the Function App integrates with (delegated to
// Microsoft.App/environments, as Flex Consumption requires) and a subnet for private endpoints; a private endpoint,
// a private DNS zone linked to the network and a DNS zone group for each service the app reaches: the Storage
// account's blob service (the Functions host, the deployment package) and table service (the hub's state and the
// host), the Key Vault, and the Service Bus namespace when it is Premium (Standard has no private endpoints: it stays
// on its public endpoint, Entra ID only). The services turn public network access off in their own modules.

@description('Azure region.')
param location string

@description('Name of the virtual network.')
param name string

@description('Resource id of the Storage account (blob and table private endpoints).')
param storageAccountId string

@description('Resource id of the Key Vault (vault private endpoint).')
param keyVaultId string

@description('Resource id of the Service Bus namespace (namespace private endpoint, Premium only).')
param serviceBusId string

@description('Whether the namespace is Premium, the only Service Bus tier with private endpoints.')
param serviceBusPrivateEndpoint bool

@description('Tags applied to every resource.')
param tags object

var appSubnetName = 'app'
var privateEndpointSubnetName = 'private-endpoints'
// Private DNS zone of each private endpoint (group id), from the cloud's own suffixes.
var storageSuffix = environment().suffixes.storage
var endpoints = concat(
  [
    { name: 'blob', serviceId: storageAccountId, groupId: 'blob', zone: 'privatelink.blob.${storageSuffix}' }
    { name: 'table', serviceId: storageAccountId, groupId: 'table', zone: 'privatelink.table.${storageSuffix}' }
    // Key Vault's private link zone is vaultcore where the vault's own DNS suffix is vault.
    { name: 'vault', serviceId: keyVaultId, groupId: 'vault', zone: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}' }
  ],
  serviceBusPrivateEndpoint
    ? [{ name: 'servicebus', serviceId: serviceBusId, groupId: 'namespace', zone: 'privatelink.servicebus.windows.net' }]
    : []
)

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.0.0.0/16'] }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: '10.0.1.0/24'
          // Flex Consumption integrates with a subnet delegated to Microsoft.App/environments.
          delegations: [{ name: 'flex-consumption', properties: { serviceName: 'Microsoft.App/environments' } }]
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefix: '10.0.2.0/24'
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for endpoint in endpoints: {
  name: endpoint.zone
  location: 'global'
  tags: tags
}]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (endpoint, i) in endpoints: {
  parent: zones[i]
  name: '${name}-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: vnet.id }
  }
}]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2025-05-01' = [for endpoint in endpoints: {
  name: 'pe-${endpoint.name}-${name}'
  location: location
  tags: tags
  properties: {
    subnet: { id: resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, privateEndpointSubnetName) }
    privateLinkServiceConnections: [
      {
        name: endpoint.name
        properties: {
          privateLinkServiceId: endpoint.serviceId
          groupIds: [endpoint.groupId]
        }
      }
    ]
  }
}]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = [for (endpoint, i) in endpoints: {
  parent: privateEndpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [{ name: endpoint.name, properties: { privateDnsZoneId: zones[i].id } }]
  }
}]

output id string = vnet.id
output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, appSubnetName)
