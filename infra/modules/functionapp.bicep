// The Function App on Flex Consumption (Linux, .NET isolated), running as the user-assigned identity. Every
// connection is identity-based; the app settings arrive from main.bicep as one object so that the offline tests
// can evaluate exactly what the app is given.

@description('Azure region.')
param location string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App (also its host name).')
param name string

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Blob endpoint of the Storage account (https://{account}.blob.{suffix}/).')
param storageBlobEndpoint string

@description('Container in that account the app package is deployed to.')
param deploymentContainerName string

@description('The .NET isolated version Flex Consumption runs the worker on (the app targets net10.0).')
@allowed(['10.0'])
param dotnetVersion string

@description('Instance memory in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Most instances the app scales out to (each BigCommerce store\'s quota is split between the processes; see docs/infrastructure.md).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Always-ready instances of the HTTP group (0 for none).')
@minValue(0)
param alwaysReadyHttpInstances int

@description('App settings: literal keys (configuration keys with __) to string values.')
param appSettings object

@description('Path of the webhook intake on the app\'s host (/{routePrefix}/{route}: /api/webhooks/bigcommerce).')
param webhookPath string

@description('App settings that get the intake\'s URL (https://{defaultHostName}{webhookPath}): each store\'s BigCommerce__Stores__N__WebhookDestination.')
param webhookDestinationSettings array

@description('Subnet the app integrates with (outbound through the virtual network); empty for none.')
param virtualNetworkSubnetId string

@description('Tags applied to the plan and the app.')
param tags object

@description('The azd service name the app is deployed as (azure.yaml).')
param azdServiceName string

// The URL BigCommerce delivers to: the watchdog holds every store's hooks to it (WebhookDestination).
var webhookUrl = 'https://${site.properties.defaultHostName}${webhookPath}'

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    // Outbound through the virtual network when the private network option is on; inbound stays public, since
    // BigCommerce delivers webhooks from the Internet.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        // The HTTP group ("http": every HTTP-triggered function, here the webhook intake) keeps warm instances:
        // no cold start on a webhook. Service Bus and timer functions scale from zero on their own.
        alwaysReady: alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }

  // The app settings, written once the site exists: each store's WebhookDestination is the intake's URL on the
  // host name Azure gave the site, which the site's own properties cannot name (the Azure-Samples Flex Consumption
  // quickstarts write their settings the same way). This replaces every app setting: all of them are here.
  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, toObject(webhookDestinationSettings, key => key, _ => webhookUrl))
  }

  // No publishing (basic auth) credentials: deployment goes through Entra ID (azd, the CI's OIDC login).
  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: { allow: false }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: { allow: false }
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output webhookUrl string = webhookUrl
