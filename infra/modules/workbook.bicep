// An operations workbook over Application Insights (the app's OpenTelemetry metrics and requests) and the
// workspace (Service Bus metrics): intake by decision, outcomes per target, backlog, retries, quarantine.

@description('Azure region.')
param location string

@description('Display name of the workbook.')
param displayName string

@description('Resource id of the Application Insights component.')
param appInsightsId string

@description('Resource id of the Log Analytics workspace (Service Bus metrics).')
param workspaceId string

@description('Tags applied to the workbook.')
param tags object

var names = loadJsonContent('../telemetry-names.json')
var m = names.metrics
var d = names.dimensions
// The isolated worker's span of each consumer invocation, "function <Name>": a dependency (an internal span) in the
// OpenTelemetry schema the worker's package selects, a request in the older one, so both tables are read.
var consumers = 'union requests, dependencies | where name in (${join(map(names.functions.consumers, f => '"${names.functions.spanPrefix}${f}"'), ', ')})'

var panels = [
  {
    title: 'Intake: webhooks per 5 minutes by decision'
    resource: appInsightsId
    query: 'customMetrics | where name == "${m.webhookDecisions}" | summarize webhooks = sum(valueSum) by decision = tostring(customDimensions.${d.decision}), bin(timestamp, 5m) | render timechart'
  }
  {
    title: 'Processing outcomes per target'
    resource: appInsightsId
    query: 'customMetrics | where name == "${m.processingOutcomes}" | summarize events = sum(valueSum) by series = strcat(tostring(customDimensions.${d.target}), " / ", tostring(customDimensions.${d.outcome})), bin(timestamp, 5m) | render timechart'
  }
  {
    title: 'Lag: messages waiting on the topic (Service Bus active messages, all subscriptions)'
    resource: workspaceId
    query: 'AzureMetrics | where ResourceProvider == "MICROSOFT.SERVICEBUS" and MetricName == "${names.serviceBus.activeMessages}" | summarize waiting = max(Maximum) by bin(TimeGenerated, 5m) | render timechart'
  }
  {
    title: 'Lag: consumer duration (p50, p95) and BigCommerce rate-limit waits'
    resource: appInsightsId
    query: 'union (${consumers} | summarize p50 = percentile(duration, 50), p95 = percentile(duration, 95) by bin(timestamp, 5m)), (customMetrics | where name == "${m.rateLimitWait}" | summarize waitSeconds = sum(valueSum) by bin(timestamp, 5m)) | render timechart'
  }
  {
    title: 'Retries: failed consumer invocations (redelivered by Service Bus) and BigCommerce 429s'
    resource: appInsightsId
    query: 'union (${consumers} | where success == false | summarize retried = count() by bin(timestamp, 5m)), (customMetrics | where name == "${m.rateLimitThrottled}" | summarize throttled = sum(valueSum) by bin(timestamp, 5m)) | render timechart'
  }
  {
    title: 'Circuits: state per target (0 closed, 1 open, 2 probing) and events held'
    resource: appInsightsId
    query: 'union (customMetrics | where name == "${m.circuitState}" | summarize state = max(valueMax) by target = tostring(customDimensions.${d.target}), bin(timestamp, 5m)), (customMetrics | where name == "${m.circuitHeld}" | summarize held = sum(valueSum) by target = tostring(customDimensions.${d.target}), bin(timestamp, 5m)) | render timechart'
  }
  {
    title: 'Quarantine: quarantined events by target and resource type'
    resource: appInsightsId
    query: 'customMetrics | where name == "${m.processingOutcomes}" and tostring(customDimensions.${d.outcome}) == "${names.values.quarantined}" | summarize quarantined = sum(valueSum) by target = tostring(customDimensions.${d.target}), resourceType = tostring(customDimensions.${d.resourceType}) | order by quarantined desc'
  }
]

var workbookContent = {
  version: 'Notebook/1.0'
  items: map(range(0, length(panels)), i => {
    type: 3
    name: 'panel-${i}'
    content: {
      version: 'KqlItem/1.0'
      title: panels[i].title
      query: panels[i].query
      size: 0
      timeContext: { durationMs: 86400000 }
      queryType: 0
      resourceType: panels[i].resource == workspaceId ? 'microsoft.operationalinsights/workspaces' : 'microsoft.insights/components'
      crossComponentResources: [panels[i].resource]
    }
  })
  isLocked: false
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, appInsightsId, 'integration-hub-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsightsId
    serializedData: string(workbookContent)
  }
}

output id string = workbook.id
