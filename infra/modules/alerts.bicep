// Alerts, all sent through one action group (e-mail): dead-lettered messages, quarantine growth, store alerts
// (app uninstalled, hook delivery exceptions), the intake's 5xx rate and function failures.

@description('Azure region of the log alert rules.')
param location string

@description('Prefix of the alert rule names.')
param namePrefix string

@description('E-mail address the action group notifies.')
param alertEmail string

@description('Resource id of the Application Insights component the log alerts query.')
param appInsightsId string

@description('Resource id of the Service Bus namespace.')
param serviceBusId string

@description('Intake 5xx responses, as a percentage of webhook requests in 15 minutes, that raise an alert.')
@minValue(1)
@maxValue(100)
param intake5xxPercent int

@description('Failed function invocations in 15 minutes that raise an alert.')
@minValue(1)
param functionFailureThreshold int

@description('Tags applied to the alert resources.')
param tags object

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-ops'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'hub-ops'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Any dead-lettered message: a message nothing could process (malformed, or past the max delivery count).
resource deadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'Messages are in a commerce-events subscription\'s dead-letter queue.'
    severity: 1
    enabled: true
    scopes: [serviceBusId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLetteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            { name: 'EntityName', operator: 'Include', values: ['*'] }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      { actionGroupId: actionGroup.id }
    ]
  }
}

var logAlerts = [
  {
    name: 'quarantine-growth'
    description: 'Events were quarantined (integration.processing.outcomes, outcome=quarantined): list and replay them.'
    severity: 2
    query: 'customMetrics | where name == "integration.processing.outcomes" | where tostring(customDimensions.outcome) == "quarantined" | summarize quarantined = sum(valueSum) by target = tostring(customDimensions.target)'
    measure: 'quarantined'
    threshold: 0
  }
  {
    name: 'store-alerts'
    description: 'A store needs a person (integration.alerts): the app was uninstalled or BigCommerce reports hook delivery exceptions.'
    severity: 1
    query: 'customMetrics | where name == "integration.alerts" | summarize alerts = sum(valueSum) by scope = tostring(customDimensions.scope), store = tostring(customDimensions.store)'
    measure: 'alerts'
    threshold: 0
  }
  {
    name: 'intake-5xx'
    description: 'The webhook intake answers 5xx: BigCommerce retries, then deactivates the hook.'
    severity: 1
    query: 'requests | where operation_Name == "BigCommerceWebhook" | summarize total = count(), failed = countif(toint(resultCode) >= 500) | where total > 0 | extend failedPercent = 100.0 * failed / total'
    measure: 'failedPercent'
    threshold: intake5xxPercent
  }
  {
    name: 'function-failures'
    description: 'Function invocations failed (consumers are retried by Service Bus, then dead-lettered).'
    severity: 2
    query: 'requests | where success == false | summarize failures = count() by operation_Name'
    measure: 'failures'
    threshold: functionFailureThreshold - 1
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [
  for alert in logAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    properties: {
      displayName: '${namePrefix}-${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [appInsightsId]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Total'
            metricMeasureColumn: alert.measure
            operator: 'GreaterThan'
            threshold: alert.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [actionGroup.id]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
