// Service Bus (Standard, or Premium for private endpoints): the commerce-events topic with one subscription per target. Local (SAS) auth is off:
// only Entra ID principals with data roles can send or receive.

@description('Azure region.')
param location string

@description('Name of the Service Bus namespace.')
param name string

@description('Topic the intake publishes accepted events to (Transport:ServiceBus:TopicName).')
param topicName string

@description('Deliveries before a message is dead-lettered; equals Processing:MaxDeliveryCount.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int

@description('Peek-lock duration in seconds; equals Transport:ServiceBus:LockDurationSeconds (at most 5 minutes).')
@minValue(5)
@maxValue(300)
param lockDurationSeconds int

@description('Duplicate-detection window in hours: BigCommerce retries a webhook for up to 48 hours.')
@minValue(1)
@maxValue(168)
param duplicateDetectionHours int

@description('Targets that get a subscription (one consumer function each).')
param targets array

@description('Resource id of the Log Analytics workspace the namespace sends its metrics and logs to.')
param workspaceId string

@description('Tier: Standard, or Premium (one messaging unit), the only tier with private endpoints.')
@allowed(['Standard', 'Premium'])
param sku string

@description('Private network option: public network access off (Premium only: a Standard namespace has no private endpoint and stays public).')
param privateNetwork bool

@description('Tags applied to the namespace.')
param tags object

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: sku == 'Premium' ? { name: 'Premium', tier: 'Premium', capacity: 1 } : { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: privateNetwork && sku == 'Premium' ? 'Disabled' : 'Enabled'
  }

  resource topic 'topics' = {
    name: topicName
    properties: {
      // A new event's MessageId is its EventId (store, scope, created_at and BigCommerce's hash:
      // WebhookEnvelope.EventIdOf), so redeliveries of one webhook within the window are dropped; a requeued copy
      // (retry, replay) carries a fresh MessageId (ServiceBusEventPublisher.CreateRequeueMessage).
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'PT${duplicateDetectionHours}H'
      defaultMessageTimeToLive: 'P14D'
      enableBatchedOperations: true
    }
  }
}

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = [
  for target in targets: {
    parent: namespace::topic
    name: target
    properties: {
      maxDeliveryCount: maxDeliveryCount
      lockDuration: 'PT${lockDurationSeconds}S'
      deadLetteringOnMessageExpiration: true
      deadLetteringOnFilterEvaluationExceptions: true
      defaultMessageTimeToLive: 'P14D'
      enableBatchedOperations: true
    }
  }
]

// Replaces the subscription's default 1=1 rule: new events (no target) go to every subscription, a replay
// (target = 'erp') only to its own.
resource rules 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2026-01-01' = [
  for (target, i) in targets: {
    parent: subscriptions[i]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: 'target IS NULL OR target = \'${target}\''
      }
    }
  }
]

// Metrics (active and dead-lettered messages per topic: EntityName is their one dimension) in the workspace, for the workbook's backlog view.
// 2021-05-01-preview is the newest diagnosticSettings version; the rule below would prefer the 2016-09-01 GA,
// whose schema has no categoryGroup.
#disable-next-line use-recent-api-versions
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: workspaceId
    metrics: [
      { category: 'AllMetrics', enabled: true }
    ]
    logs: [
      { categoryGroup: 'allLogs', enabled: true }
    ]
  }
}

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
