// Alerts, all sent through one action group (e-mail), on signals that exist in OpenTelemetry mode: the app's own
// metrics (webhook decisions, processing outcomes, circuit state, heartbeat, store alerts), the host's invocation
// spans named by function, and Service Bus platform metrics. Every name comes from ../telemetry-names.json.

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

@description('Name of the topic the consumers read (the Service Bus metrics\' EntityName).')
param topicName string

@description('Intake 5xx answers (publish failed or timed out), as a percentage of webhooks in 15 minutes, that raise an alert.')
@minValue(1)
@maxValue(100)
param intake5xxPercent int

@description('Failed function invocations in 15 minutes that raise an alert.')
@minValue(1)
param functionFailureThreshold int

@description('Active (waiting) messages on the topic, summed over its subscriptions, that raise the backlog alert.')
@minValue(1)
param backlogThreshold int

@description('Tags applied to the alert resources.')
param tags object

var names = loadJsonContent('../telemetry-names.json')
var m = names.metrics
var d = names.dimensions
// The worker's span of each invocation: "function <Name>" (see the function-failures rule).
var functionSpans = join(map(concat([names.functions.webhook, names.functions.heartbeat], names.functions.consumers), f => '"${names.functions.spanPrefix}${f}"'), ', ')

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
resource deadLettered 'Microsoft.Insights/metricAlerts@2026-01-01' = {
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
          metricNamespace: names.serviceBus.metricNamespace
          metricName: names.serviceBus.deadLetteredMessages
          dimensions: [
            { name: names.serviceBus.entityDimension, operator: 'Include', values: ['*'] }
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

// A growing backlog: a stalled or slow consumer shows here long before dead-lettering (up to 14 days). Azure
// Monitor's ActiveMessages has one dimension, EntityName (the topic), so this is the sum over the subscriptions; the
// per-target view is the workbook's outcomes and the circuit alert.
resource backlog 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-backlog'
  location: 'global'
  tags: tags
  properties: {
    description: 'Messages are waiting on the ${topicName} topic\'s subscriptions: a consumer is stalled or cannot keep up.'
    severity: 2
    enabled: true
    scopes: [serviceBusId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT30M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'ActiveMessages'
          metricNamespace: names.serviceBus.metricNamespace
          metricName: names.serviceBus.activeMessages
          dimensions: [
            { name: names.serviceBus.entityDimension, operator: 'Include', values: [topicName] }
          ]
          operator: 'GreaterThan'
          threshold: backlogThreshold
          // The least over 30 minutes: a burst that drains does not page, a backlog that stays does.
          timeAggregation: 'Minimum'
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
    description: 'Events were quarantined (${m.processingOutcomes}, ${d.outcome}=${names.values.quarantined}): list and replay them.'
    severity: 2
    query: 'customMetrics | where name == "${m.processingOutcomes}" | where tostring(customDimensions.${d.outcome}) == "${names.values.quarantined}" | summarize quarantined = sum(valueSum) by target = tostring(customDimensions.${d.target})'
    measure: 'quarantined'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
  }
  {
    name: 'store-alerts'
    description: 'A store needs a person (${m.alerts}): the app was uninstalled or BigCommerce reports hook delivery exceptions.'
    severity: 1
    query: 'customMetrics | where name == "${m.alerts}" | summarize alerts = sum(valueSum) by scope = tostring(customDimensions.${d.scope}), store = tostring(customDimensions.${d.store})'
    measure: 'alerts'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
  }
  {
    // The intake's own decisions: publish_failed and publish_timed_out are its 5xx answers (BigCommerce retries,
    // then deactivates the hook). Independent of how the host names the HTTP request in OpenTelemetry mode.
    name: 'intake-5xx'
    description: 'The webhook intake answers 5xx (${m.webhookDecisions}: ${names.values.publishFailed}, ${names.values.publishTimedOut}): BigCommerce retries, then deactivates the hook.'
    severity: 1
    query: 'customMetrics | where name == "${m.webhookDecisions}" | summarize total = sum(valueSum), failed = sumif(valueSum, tostring(customDimensions.${d.decision}) in ("${names.values.publishFailed}", "${names.values.publishTimedOut}")) | where total > 0 | extend failedPercent = 100.0 * failed / total'
    measure: 'failedPercent'
    operator: 'GreaterThan'
    threshold: intake5xxPercent
    window: 'PT15M'
  }
  {
    // The isolated worker's span of each invocation, "function <Name>", failed when the function threw (an internal
    // span, a dependency, in the OpenTelemetry schema the worker's OpenTelemetry package selects; a server span, a
    // request, in the older one: both tables are read). Checked against the worker's captured telemetry
    // (FunctionsWorkerTelemetryTests); the Functions host's own spans are not relied on.
    name: 'function-failures'
    description: 'Function invocations failed (consumers are retried by Service Bus, then dead-lettered).'
    severity: 2
    query: 'union requests, dependencies | where name in (${functionSpans}) | where success == false | summarize failures = count()'
    measure: 'failures'
    operator: 'GreaterThan'
    threshold: functionFailureThreshold - 1
    window: 'PT15M'
  }
  {
    // A target's circuit held open (1) for the whole window: its events are being held, not applied.
    name: 'circuit-open'
    description: 'A target\'s circuit stayed open for 30 minutes (${m.circuitState}=${names.values.circuitOpen}): the ERP or CRM is down or refusing; events are held.'
    severity: 1
    query: 'customMetrics | where name == "${m.circuitState}" | summarize closedOrProbing = countif(valueMin < ${names.values.circuitOpen}), samples = count() by target = tostring(customDimensions.${d.target}) | where samples > 0 | extend heldOpen = iff(closedOrProbing == 0, 1, 0)'
    measure: 'heldOpen'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT30M'
  }
  {
    // The credential audit (daily): a secret past its age, a previous webhook secret left after the rotation window,
    // a token lacking a scope the hub needs or holding more. One alert per run that found any.
    name: 'credential-audit'
    description: 'The credential audit found a secret to rotate or a permission to fix (${m.credentialFindings}, ${d.status}=${names.values.findingFailing} or ${names.values.findingWarning}): run credentials audit for the details.'
    severity: 2
    query: 'customMetrics | where name == "${m.credentialFindings}" | where tostring(customDimensions.${d.status}) in ("${names.values.findingFailing}", "${names.values.findingWarning}") | summarize findings = sum(valueSum) by store = tostring(customDimensions.${d.store}), credential = tostring(customDimensions.${d.credential}), check = tostring(customDimensions.${d.check})'
    measure: 'findings'
    operator: 'GreaterThan'
    threshold: 0
    window: 'PT15M'
  }
  {
    // The app's heartbeat timer (every 5 minutes): none in 15 minutes means the app is not running.
    name: 'heartbeat'
    description: 'No ${m.heartbeat} in 15 minutes: the Function App is not running, cannot start, or cannot export telemetry.'
    severity: 1
    query: 'customMetrics | where name == "${m.heartbeat}" | summarize beats = count()'
    measure: 'beats'
    operator: 'LessThan'
    threshold: 1
    window: 'PT15M'
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
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
      windowSize: alert.window
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Total'
            metricMeasureColumn: alert.measure
            operator: alert.operator
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
