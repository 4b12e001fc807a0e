// The BigCommerce Integration Hub on Azure: one command (`azd up`) creates the resource group and everything in
// it. Secure by default: no keys or connection strings anywhere (shared-key and local auth are off on Storage,
// Service Bus and Application Insights), one user-assigned managed identity with least-privilege roles, secrets
// only as Key Vault names, and alerts on everything that needs a person. See docs/infrastructure.md.
targetScope = 'subscription'

@description('azd environment name: names the resource group and seeds the unique resource-name token.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region of every resource: one that offers Flex Consumption (the list of the Azure-Samples Flex Consumption azd quickstart, February 2026; check with `az functionapp list-flexconsumption-locations`).')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'eastus2euap'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user (azd passes AZURE_PRINCIPAL_ID): gets Key Vault Secrets Officer, table and replay access. Empty for none.')
param principalId string = ''

@description('Type of principalId: User when a person runs azd, ServicePrincipal in a pipeline.')
@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('The BigCommerce store hashes this deployment serves, comma-separated (stores/{hash}): each gets Key Vault secrets bc-{hash}-webhook-secret and bc-{hash}-api-token.')
@minLength(1)
param storeHashes string

@description('During a webhook secret rotation: also accept each store\'s bc-{hash}-webhook-secret-previous (PreviousWebhookSecretName).')
param webhookSecretRotation bool = false

@description('Verify Standard Webhooks signatures with each store\'s bc-{hash}-signing-secret (SigningSecretName).')
param webhookSignatures bool = false

@description('Private network option, off by default: a virtual network the app integrates with, private endpoints for Storage (blob, table), Key Vault and (Premium only) Service Bus, and their public network access off. Operators then reach the vault and tables only from inside the network (docs/infrastructure.md).')
param vnetEnabled bool = false

@description('Service Bus tier: Standard, or Premium (one messaging unit), the only tier with private endpoints. With vnetEnabled and Standard, Service Bus stays on its public endpoint (Entra ID only).')
@allowed(['Standard', 'Premium'])
param serviceBusSku string = 'Standard'

@description('E-mail address that receives the alerts.')
@minLength(3)
param alertEmail string

@description('Deliveries of a message before Service Bus dead-letters it: the subscriptions\' maxDeliveryCount and Processing:MaxDeliveryCount, from this one value.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int = 10

@description('Peek-lock duration in seconds: the subscriptions\' lockDuration and Transport:ServiceBus:LockDurationSeconds, from this one value.')
@minValue(5)
@maxValue(300)
param lockDurationSeconds int = 60

@description('Claim lease of an event being processed (Processing:LeaseSeconds).')
@minValue(10)
@maxValue(3600)
param leaseSeconds int = 60

@description('Most instances per function group (Flex Consumption scales each group on its own). Each store\'s quota is split between 2 x this + 5 processes, so keep it small (docs/infrastructure.md).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 4

@description('Instance memory of the Function App in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('The .NET isolated version Flex Consumption runs the worker on: the app targets net10.0, so 10.0 only.')
@allowed(['10.0'])
param dotnetVersion string = '10.0'

@description('Always-ready instances of the HTTP group (the webhook intake): BigCommerce counts a slow answer as a failed delivery, so one stays warm. 0 for none.')
@minValue(0)
@maxValue(10)
param alwaysReadyHttpInstances int = 1

@description('Prefix of the hub\'s table names (State:TablePrefix), letters and digits starting with a letter, or empty.')
@maxLength(40)
param tablePrefix string = ''

@description('BigCommerce API base address (BigCommerce:Api:BaseAddress).')
param bigCommerceApiBaseAddress string = 'https://api.bigcommerce.com'

@description('Share of each store\'s rate-limit quota left to its other apps (BigCommerce:Api:RateLimitReserve, 0 to 0.9).')
param rateLimitReserve string = '0.2'

@description('The mapping file, relative to the app folder (Mapping:Path); empty for the built-in mapping.')
param mappingPath string = ''

@description('Tryton ERP URL (Erp:Tryton:Url, trytond\'s web listener); empty to run without ERP sync.')
param trytonUrl string = ''

@description('Tryton database name (Erp:Tryton:Database).')
param trytonDatabase string = 'tryton'

@description('Tryton login the hub uses (Erp:Tryton:User); its password is the Key Vault secret tryton-password.')
param trytonUser string = 'integration'

@description('Tryton company id every call runs under (Erp:Tryton:CompanyId).')
@minValue(1)
param trytonCompanyId int = 1

@description('Tryton warehouse (stock.location) code the canonical location "main" maps to and sales ship from.')
param trytonWarehouseCode string = 'WH'

@description('Sync to HubSpot (Crm:HubSpot): the private-app token is the Key Vault secret hubspot-access-token.')
param hubspotEnabled bool = false

@description('Intake 5xx responses, as a percentage of webhook requests in 15 minutes, that raise an alert.')
@minValue(1)
@maxValue(100)
param intake5xxAlertPercent int = 5

@description('Failed function invocations in 15 minutes that raise an alert.')
@minValue(1)
param functionFailureAlertCount int = 10

@description('Messages waiting on the topic (all subscriptions) for 30 minutes that raise the backlog alert.')
@minValue(1)
param backlogAlertThreshold int = 500

var token = toLower(uniqueString(subscription().id, environmentName, location))
var stores = map(filter(split(replace(storeHashes, ' ', ''), ','), h => !empty(h)), h => toLower(h))
var letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
var lettersAndDigits = '${letters}0123456789'
// Values the app's start-up validation refuses, refused here first (Bicep has no pattern decorator or cross-parameter
// decorator outside experimental features; fail() is GA). Every resource carries `tags`, the resource group first, so
// ARM stops on the first resource, naming every refused parameter at once, before anything is created.
var parameterErrors = concat(
  leaseSeconds > lockDurationSeconds
    ? ['leaseSeconds (${leaseSeconds}) must not exceed lockDurationSeconds (${lockDurationSeconds}): a claim lease longer than the Service Bus lock lets a message be redelivered while its event is still claimed (Processing:LeaseSeconds, Transport:ServiceBus:LockDurationSeconds).']
    : [],
  !empty(tablePrefix) && (!contains(letters, first(tablePrefix)) || !empty(filter(range(0, length(tablePrefix)), i => !contains(lettersAndDigits, substring(tablePrefix, i, 1)))))
    ? ['tablePrefix \'${tablePrefix}\' must be letters and digits, starting with a letter (State:TablePrefix; Azure table names).']
    : [],
  empty(stores) ? ['storeHashes \'${storeHashes}\' lists no store: give at least one store hash (BigCommerce:Stores).'] : [],
  !empty(filter(stores, h => !empty(filter(range(0, length(h)), i => !contains(lettersAndDigits, substring(h, i, 1))))))
    ? ['storeHashes \'${storeHashes}\': a store hash is letters and digits only (BigCommerce:Stores:N:StoreHash).']
    : [],
  length(union(stores, [])) != length(stores) ? ['storeHashes \'${storeHashes}\' names a store twice (BigCommerce:Stores:N:StoreHash).'] : []
)
var tags = empty(parameterErrors)
  ? { 'azd-env-name': environmentName, application: 'bigcommerce-integration-hub' }
  : fail('Refused parameters: ${join(parameterErrors, ' ')}')
var topicName = 'commerce-events'
var targets = ['erp', 'crm']
var deploymentContainerName = 'app-package'
// The intake's path (host.json's routePrefix and WebhookEndpoint.Route), one value for the alerts and the hooks.
var webhookPath = loadJsonContent('telemetry-names.json').webhookPath
var names = {
  resourceGroup: 'rg-${environmentName}'
  identity: 'id-${token}'
  logAnalytics: 'log-${token}'
  appInsights: 'appi-${token}'
  storage: 'st${token}'
  serviceBus: 'sb-${token}'
  keyVault: 'kv-${token}'
  plan: 'plan-${token}'
  functionApp: 'func-${token}'
  vnet: 'vnet-${token}'
}

// Every setting the app reads, with literal keys: the offline tests evaluate this object and feed it to the
// Functions host's own start-up validation. Secrets appear only as Key Vault secret names.
var hostSettings = {
  // The Functions host's storage, identity-based (no AccountKey).
  AzureWebJobsStorage__blobServiceUri: 'https://${names.storage}.blob.${environment().suffixes.storage}'
  AzureWebJobsStorage__tableServiceUri: 'https://${names.storage}.table.${environment().suffixes.storage}'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  // The Service Bus trigger's connection ("ServiceBusConnection"), identity-based.
  ServiceBusConnection__fullyQualifiedNamespace: '${names.serviceBus}.servicebus.windows.net'
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identity.outputs.clientId
  // OpenTelemetry export with Entra ID (Application Insights has local auth off).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}
var appSettings = {
  Azure__ManagedIdentityClientId: identity.outputs.clientId
  KeyVault__VaultUri: 'https://${names.keyVault}${environment().suffixes.keyvaultDns}/'
  Transport__Kind: 'ServiceBus'
  Transport__ServiceBus__FullyQualifiedNamespace: '${names.serviceBus}.servicebus.windows.net'
  // Settings a trigger names (%...%) are flat: Flex Consumption's scale controller resolves them from the app
  // settings itself and does not reliably map A:B to A__B (docs/infrastructure.md). The app feeds each to its
  // options key (Integration.Hosting.TriggerSettings).
  TransportServiceBusTopicName: topicName
  Transport__ServiceBus__LockDurationSeconds: string(lockDurationSeconds)
  State__ServiceUri: 'https://${names.storage}.table.${environment().suffixes.storage}/'
  State__TablePrefix: tablePrefix
  // The storage module creates the tables: no table call on a cold start's path.
  State__CreateTables: 'false'
  Processing__LeaseSeconds: string(leaseSeconds)
  Processing__MaxDeliveryCount: string(maxDeliveryCount)
  // Timer triggers read their schedule from an app setting (%ProcessingLedgerSweepSchedule%): it must exist.
  ProcessingLedgerSweepSchedule: '0 0 3 * * *'
  FulfilmentSchedule: '0 */5 * * * *'
  // Key Vault secrets read again (a rotation needs no restart; authentication failures read them at once too).
  SecretsRefreshSchedule: '0 */5 * * * *'
  // The credential and permission audit (secret ages, a leftover previous webhook secret, token scopes).
  SecretsAuditSchedule: '0 0 6 * * *'
  // Nightly reconciliation, staggered so the kinds do not share a store's quota (the timers read these settings).
  ReconciliationHooksSchedule: '0 0 1 * * *'
  ReconciliationCatalogSchedule: '0 0 2 * * *'
  ReconciliationInventorySchedule: '0 30 2 * * *'
  ReconciliationOrdersSchedule: '0 0 4 * * *'
  BigCommerce__Webhooks__SecretHeader: 'X-Webhook-Secret'
  // Below Service Bus Standard's 256 KB message limit, which counts the event envelope and properties too.
  BigCommerce__Webhooks__MaxBodyBytes: '196608'
  BigCommerce__Webhooks__SignatureToleranceSeconds: '300'
  BigCommerce__Api__BaseAddress: bigCommerceApiBaseAddress
  BigCommerce__Api__RateLimitReserve: rateLimitReserve
  // One budget per store and window shared by every process through the state account's reconciliation table.
  BigCommerce__Api__RateLimitBudget: 'Table'
  // Every process that may pace a store at once: the two Service Bus consumers at their maximum and the five timers
  // calling BigCommerce (catalog, inventory, orders, hooks, fulfilment; a timer runs on one instance). When the
  // shared budget cannot be reached, each spends 1/N of the store's window (docs/infrastructure.md).
  BigCommerce__Api__RateLimitProcesses: string(2 * maximumInstanceCount + 5)
  BigCommerce__Api__AttemptTimeout: '00:00:30'
  BigCommerce__Api__TotalTimeout: '00:02:00'
  BigCommerce__Api__MaxRetryAttempts: '4'
  BigCommerce__Api__RetryBaseDelay: '00:00:01'
  BigCommerce__Api__ThrottledBaseDelay: '00:00:05'
}
var storeSettings = toObject(
  flatten(map(range(0, length(stores)), i => concat(
    [
      { key: 'BigCommerce__Stores__${i}__StoreHash', value: stores[i] }
      { key: 'BigCommerce__Stores__${i}__WebhookSecretName', value: 'bc-${stores[i]}-webhook-secret' }
      { key: 'BigCommerce__Stores__${i}__ApiTokenName', value: 'bc-${stores[i]}-api-token' }
    ],
    webhookSecretRotation
      ? [{ key: 'BigCommerce__Stores__${i}__PreviousWebhookSecretName', value: 'bc-${stores[i]}-webhook-secret-previous' }]
      : [],
    webhookSignatures
      ? [{ key: 'BigCommerce__Stores__${i}__SigningSecretName', value: 'bc-${stores[i]}-signing-secret' }]
      : []
  ))),
  s => s.key,
  s => s.value
)
var erpSettings = empty(trytonUrl)
  ? {}
  : {
      Erp__Tryton__Url: trytonUrl
      Erp__Tryton__Database: trytonDatabase
      Erp__Tryton__User: trytonUser
      Erp__Tryton__PasswordSecretName: 'tryton-password'
      Erp__Tryton__CompanyId: string(trytonCompanyId)
      Erp__Tryton__Warehouses__main: trytonWarehouseCode
      Erp__Tryton__OrderWarehouse: 'main'
    }
var crmSettings = hubspotEnabled ? { Crm__HubSpot__AccessTokenName: 'hubspot-access-token' } : {}
var mappingSettings = empty(mappingPath) ? {} : { Mapping__Path: mappingPath }
var functionAppSettings = union(hostSettings, appSettings, storeSettings, erpSettings, crmSettings, mappingSettings)

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    location: location
    name: names.identity
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    retentionInDays: 30
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    name: names.storage
    deploymentContainerName: deploymentContainerName
    tablePrefix: tablePrefix
    workspaceId: monitoring.outputs.workspaceId
    privateNetwork: vnetEnabled
    tags: tags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    location: location
    name: names.serviceBus
    topicName: topicName
    targets: targets
    maxDeliveryCount: maxDeliveryCount
    lockDurationSeconds: lockDurationSeconds
    duplicateDetectionHours: 48
    workspaceId: monitoring.outputs.workspaceId
    sku: serviceBusSku
    privateNetwork: vnetEnabled
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    name: names.keyVault
    softDeleteRetentionInDays: 90
    workspaceId: monitoring.outputs.workspaceId
    privateNetwork: vnetEnabled
    tags: tags
  }
}

// The private network option (off by default): see modules/network.bicep and docs/infrastructure.md.
module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    location: location
    name: names.vnet
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
    serviceBusId: serviceBus.outputs.id
    serviceBusPrivateEndpoint: serviceBusSku == 'Premium'
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
    storageAccountName: storage.outputs.name
    serviceBusName: serviceBus.outputs.name
    topicName: topicName
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    location: location
    planName: names.plan
    name: names.functionApp
    identityId: identity.outputs.id
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    // The app starts once the private endpoints exist (it reads secrets and tables at start-up).
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
    appSettings: functionAppSettings
    // One webhook URL for every store (the intake reads the store from the payload): the watchdog repairs hooks to it.
    webhookPath: webhookPath
    webhookDestinationSettings: map(range(0, length(stores)), i => 'BigCommerce__Stores__${i}__WebhookDestination')
    azdServiceName: 'functions'
    tags: tags
  }
  // The app starts by reading secrets, tables and the topic: its roles must exist first.
  dependsOn: [roles]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    namePrefix: 'hub-${token}'
    alertEmail: alertEmail
    appInsightsId: monitoring.outputs.appInsightsId
    serviceBusId: serviceBus.outputs.id
    topicName: topicName
    intake5xxPercent: intake5xxAlertPercent
    functionFailureThreshold: functionFailureAlertCount
    backlogThreshold: backlogAlertThreshold
    tags: tags
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    displayName: 'Integration hub (${environmentName})'
    appInsightsId: monitoring.outputs.appInsightsId
    workspaceId: monitoring.outputs.workspaceId
    tags: tags
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output WEBHOOK_URL string = functionApp.outputs.webhookUrl
output STATE_SERVICE_URI string = storage.outputs.tableEndpoint
