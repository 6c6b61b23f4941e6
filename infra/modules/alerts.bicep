// Who hears about trouble, and when (docs/operations.md, "Alerts and what to do"): an action group
// (e-mail receivers from a parameter; with none it still exists, and receivers are added to it) and
// one rule per row of the "What to alert on" table, plus the oldest waiting message and the
// function app's own failures. The rules are scheduled-query (log) alerts on the Application
// Insights tables, because the app's metrics arrive there with their dimensions (customMetrics,
// through the OpenTelemetry exporter) and only a query can split by workspace and reason and take
// the delivery lag's p95 (docs/decisions.md, "Alerts: log alerts on the Application Insights
// tables"). Health is an
// availability test of GET /api/health with the platform's own availability alert. Each metric
// name below is one the app defines in Core's MetricNames (tests/ConvertroFunctions.Infra.Tests
// checks it); each threshold is a parameter of main.bicep.
param namePrefix string
param appInsightsName string
param location string
param tags object
param functionAppHostName string

@description('E-mail addresses the action group notifies; empty: the group exists and receivers are added to it later.')
param alertEmails array

param signatureRejectionsThreshold int
param deadLettersThreshold int
param deadLetterWindowMinutes int
param deliveryLagP95Minutes int
param backlogGrowthThreshold int
param poisonMessagesThreshold int
param oldestMessageMinutes int
param healthFailedLocations int
param functionFailuresThreshold int
param skippedShareIncreasePoints int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'convertro'
    enabled: true
    emailReceivers: [
      for (email, i) in alertEmails: {
        name: 'email-${i}'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

// One entry per log alert rule. `measure` is the query's number column (aggregated over the window
// with `aggregation`), `dimensions` the columns it is split by: one alert per workspace (and reason).
var logAlerts = [
  {
    name: 'signature-rejections'
    displayName: 'Segment requests refused for their signature'
    description: 'convertro.ingest.signature_rejected: a wrong shared secret; Segment drops those events after the 401. Runbook: docs/operations.md, "Alert: signature rejections".'
    severity: 1
    frequency: 'PT5M'
    window: 'PT5M'
    query: '''
customMetrics
| where name == "convertro.ingest.signature_rejected"
| project timestamp, workspace = tostring(customDimensions.workspace), rejected = value
'''
    measure: 'rejected'
    aggregation: 'Total'
    dimensions: ['workspace']
    threshold: signatureRejectionsThreshold
  }
  {
    name: 'dead-letters'
    displayName: 'Events dead-lettered'
    description: 'convertro.events.dead_lettered by workspace and reason: events wait for a person; the reason says what to fix before replaying. Runbook: docs/operations.md, "Alert: dead letters".'
    severity: 2
    frequency: 'PT5M'
    window: 'PT${deadLetterWindowMinutes}M'
    query: '''
customMetrics
| where name == "convertro.events.dead_lettered"
| project timestamp, workspace = tostring(customDimensions.workspace), reason = tostring(customDimensions.reason), deadLettered = value
'''
    measure: 'deadLettered'
    aggregation: 'Total'
    dimensions: ['workspace', 'reason']
    threshold: deadLettersThreshold
  }
  {
    name: 'delivery-lag'
    displayName: 'Delivery lag p95 too high'
    description: 'convertro.events.delivery_lag p95 (the workbook\'s approximation from one-minute means weighted by their counts; the exporter sends no buckets), in minutes. Runbook: docs/operations.md, "Alert: delivery lag".'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
customMetrics
| where name == "convertro.events.delivery_lag" and valueCount > 0
| summarize lagP95Minutes = percentilew(valueSum / valueCount, valueCount, 95) / 60.0 by workspace = tostring(customDimensions.workspace)
'''
    measure: 'lagP95Minutes'
    aggregation: 'Maximum'
    dimensions: ['workspace']
    threshold: deliveryLagP95Minutes
  }
  {
    name: 'backlog-growing'
    displayName: 'segment-events backlog growing'
    description: 'convertro.queue.length of segment-events: the lowest length of the last 5 minutes above the highest of the first 5 of the window (15 minutes): the backlog is not draining. Runbook: docs/operations.md, "Alert: backlog growing".'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
let lengths = customMetrics
| where name == "convertro.queue.length" and tostring(customDimensions.queue) == "segment-events"
| summarize length = max(value) by timestamp = bin(timestamp, 1m);
let first = toscalar(lengths | top 5 by timestamp asc | summarize max(length));
let last = toscalar(lengths | top 5 by timestamp desc | summarize min(length));
print growth = last - first
'''
    measure: 'growth'
    aggregation: 'Maximum'
    dimensions: []
    threshold: backlogGrowthThreshold
  }
  {
    name: 'poison-queue'
    displayName: 'Poison queue not empty'
    description: 'convertro.queue.length of segment-events-poison above the threshold for the whole window (15 minutes): the drain into the dead letters is failing. Runbook: docs/operations.md, "Alert: poison queue not empty".'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
customMetrics
| where name == "convertro.queue.length" and tostring(customDimensions.queue) == "segment-events-poison"
| project timestamp, poisonMessages = value
'''
    measure: 'poisonMessages'
    aggregation: 'Minimum'
    dimensions: []
    threshold: poisonMessagesThreshold
  }
  {
    name: 'oldest-waiting-message'
    displayName: 'Oldest waiting message too old'
    description: 'convertro.queue.oldest_message_age of segment-events, in minutes: a visible message has waited this long for a delivery (a delayed retry counts from its due time). Runbook: docs/operations.md, "Alert: oldest waiting message".'
    severity: 1
    frequency: 'PT5M'
    window: 'PT5M'
    query: '''
customMetrics
| where name == "convertro.queue.oldest_message_age" and tostring(customDimensions.queue) == "segment-events"
| project timestamp, oldestMinutes = value / 60.0
'''
    measure: 'oldestMinutes'
    aggregation: 'Maximum'
    dimensions: []
    threshold: oldestMessageMinutes
  }
  {
    name: 'function-failures'
    displayName: 'Function invocations failing'
    description: 'Failed invocations per function (requests: an exception, or an HTTP answer of 5xx), 4xx answers to bad requests excluded. Runbook: docs/operations.md, "Alert: function failures".'
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    query: '''
requests
| where success == false and not(resultCode startswith "4")
| project timestamp, function = operation_Name, failures = 1
'''
    measure: 'failures'
    aggregation: 'Total'
    dimensions: ['function']
    threshold: functionFailuresThreshold
  }
  {
    name: 'skipped-mix'
    displayName: 'Skip reasons changed'
    description: 'convertro.events.skipped by reason as a share of convertro.events.accepted: the last hour against the 23 before it, in percentage points, for workspaces with at least 100 events in each. Runbook: docs/operations.md, "Alert: skip reasons changed".'
    severity: 3
    frequency: 'PT1H'
    window: 'P1D'
    query: '''
let recentFrom = ago(1h);
let minimumEvents = 100;
let outcomes = customMetrics
| where name in ("convertro.events.accepted", "convertro.events.skipped")
| extend workspace = tostring(customDimensions.workspace), reason = tostring(customDimensions.reason), recent = timestamp >= recentFrom;
outcomes
| where name == "convertro.events.skipped"
| summarize recentSkipped = sumif(value, recent), earlierSkipped = sumif(value, not(recent)) by workspace, reason
| join kind=inner (
    outcomes
    | where name == "convertro.events.accepted"
    | summarize recentAccepted = sumif(value, recent), earlierAccepted = sumif(value, not(recent)) by workspace
  ) on workspace
| where recentAccepted >= minimumEvents and earlierAccepted >= minimumEvents
| project workspace, reason, increasePoints = 100.0 * recentSkipped / recentAccepted - 100.0 * earlierSkipped / earlierAccepted
'''
    measure: 'increasePoints'
    aggregation: 'Maximum'
    dimensions: ['workspace', 'reason']
    threshold: skippedShareIncreasePoints
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in logAlerts: {
    name: '${namePrefix}-${rule.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      scopes: [appInsights.id]
      // Fires once, and resolves by itself when the condition no longer holds.
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            metricMeasureColumn: rule.measure
            timeAggregation: rule.aggregation
            dimensions: [
              for dimension in rule.dimensions: {
                name: dimension
                operator: 'Include'
                values: ['*']
              }
            ]
            operator: 'GreaterThan'
            threshold: rule.threshold
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

// GET /api/health from three regions every 5 minutes (anonymous: it answers only whether queue and
// table storage answer).
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${namePrefix}-health'
  location: location
  // The portal lists an availability test under the Application Insights resource this tag names.
  tags: union(tags, { 'hidden-link:${appInsights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: '${namePrefix}-health'
    Name: 'ConvertroFunctions GET /api/health'
    Kind: 'standard'
    Enabled: true
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [
      { Id: 'us-va-ash-azr' }
      { Id: 'emea-nl-ams-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: 'https://${functionAppHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-health'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health did not answer 200 from this many test locations: storage is unreachable (ingest answers 503, Segment retries) or the app is down. Runbook: docs/operations.md, "Alert: health".'
    severity: 1
    enabled: true
    scopes: [healthTest.id, appInsights.id]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: appInsights.id
      failedLocationCount: healthFailedLocations
    }
    actions: [
      { actionGroupId: actionGroup.id }
    ]
  }
}

output actionGroupName string = actionGroup.name
