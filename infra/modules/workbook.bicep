// An Azure Monitor workbook on the Application Insights resource: what became of the events, per
// workspace, from the ConvertroFunctions meter the app exports through OpenTelemetry. The Azure
// Monitor exporter writes each metric to customMetrics under its instrument name, once a minute per
// tag set (delta; a gauge's last value), with the tags in customDimensions (workspace; reason on
// skipped, dead_lettered and dead_letters.stored; queue on the queue gauges); a histogram row
// carries valueSum, valueCount, valueMin and valueMax, no buckets, so the delivery lag p95 is taken
// over the one-minute means, weighted by their event counts.
// (tests/ConvertroFunctions.App.Tests/AzureMonitorPayloadTests checks what the exporter sends.)
param appInsightsName string
param location string
param tags object

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

var workbookContent = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 9
      name: 'parameters'
      content: {
        version: 'KqlParameterItem/1.0'
        parameters: [
          {
            id: '6f0c6a0e-7d2b-4d0e-9a4e-1b5f3c2d8a10'
            version: 'KqlParameterItem/1.0'
            name: 'TimeRange'
            label: 'Time range'
            type: 4
            isRequired: true
            value: { durationMs: 86400000 }
            typeSettings: {
              selectableValues: [
                { durationMs: 3600000 }
                { durationMs: 14400000 }
                { durationMs: 43200000 }
                { durationMs: 86400000 }
                { durationMs: 259200000 }
                { durationMs: 604800000 }
                { durationMs: 2592000000 }
              ]
              allowCustom: true
            }
          }
          {
            id: '0b7e3f52-98c4-4c61-8f3e-5d2a7c9e4b21'
            version: 'KqlParameterItem/1.0'
            name: 'Workspace'
            label: 'Workspace'
            type: 2
            isRequired: true
            multiSelect: true
            quote: '\''
            delimiter: ','
            query: '''
customMetrics
| where timestamp {TimeRange}
| where name startswith "convertro."
| summarize by workspace = tostring(customDimensions.workspace)
| where isnotempty(workspace)
| order by workspace asc
'''
            typeSettings: {
              additionalResourceOptions: ['value::all']
              selectAllValue: '*'
              showDefault: false
            }
            defaultValue: 'value::all'
            timeContextFromParameter: 'TimeRange'
            queryType: 0
            resourceType: 'microsoft.insights/components'
          }
        ]
        style: 'pills'
        queryType: 0
        resourceType: 'microsoft.insights/components'
      }
    }
    {
      type: 1
      name: 'about'
      content: {
        json: 'Events per Segment workspace from the `ConvertroFunctions` meter (customMetrics): **received** (accepted by ingest), **delivered**, **skipped** by reason, **retried**, **dead-lettered** by reason code, **storage waits** (deliveries handed back while Table storage was unavailable), the delivery lag, the **dead letters stored**, and each queue\'s length and **oldest waiting message** (measured every minute by each instance; the charts take the maximum). The exporter sends sums per minute without histogram buckets, so the lag p95 is the 95th percentile of one-minute mean lags weighted by their event counts (a lower bound of the true p95); the maximum is exact. docs/operations.md says what to alert on.'
      }
    }
    {
      type: 3
      name: 'totals'
      content: {
        version: 'KqlItem/1.0'
        title: 'Totals by workspace'
        query: '''
customMetrics
| where timestamp {TimeRange}
| extend workspace = tostring(customDimensions.workspace)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize
    Received = sumif(value, name == "convertro.events.accepted"),
    Delivered = sumif(value, name == "convertro.events.delivered"),
    Skipped = sumif(value, name == "convertro.events.skipped"),
    Retried = sumif(value, name == "convertro.events.retried"),
    DeadLettered = sumif(value, name == "convertro.events.dead_lettered"),
    SignatureRejected = sumif(value, name == "convertro.ingest.signature_rejected"),
    StorageWaits = sumif(value, name == "convertro.events.storage_waits")
    by workspace
| join kind=leftouter (
    customMetrics
    | where timestamp {TimeRange}
    | where name == "convertro.events.delivery_lag" and valueCount > 0
    | extend workspace = tostring(customDimensions.workspace)
    | summarize LagP95Seconds = percentilew(valueSum / valueCount, valueCount, 95), LagMaxSeconds = max(valueMax) by workspace
  ) on workspace
| project workspace, Received, Delivered, Skipped, Retried, DeadLettered, SignatureRejected, StorageWaits, LagP95Seconds, LagMaxSeconds
| order by Received desc
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
    }
    {
      type: 3
      name: 'received'
      content: {
        version: 'KqlItem/1.0'
        title: 'Received (accepted by ingest), by workspace'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.accepted"
| extend workspace = tostring(customDimensions.workspace)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize Received = sum(value) by bin(timestamp, {TimeRange:grain}), workspace
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'delivered'
      content: {
        version: 'KqlItem/1.0'
        title: 'Delivered, by workspace'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.delivered"
| extend workspace = tostring(customDimensions.workspace)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize Delivered = sum(value) by bin(timestamp, {TimeRange:grain}), workspace
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'skipped'
      content: {
        version: 'KqlItem/1.0'
        title: 'Skipped, by reason'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.skipped"
| extend workspace = tostring(customDimensions.workspace), reason = tostring(customDimensions.reason)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize Skipped = sum(value) by bin(timestamp, {TimeRange:grain}), reason
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'skipped-totals'
      content: {
        version: 'KqlItem/1.0'
        title: 'Skipped, by workspace and reason'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.skipped"
| extend workspace = tostring(customDimensions.workspace), reason = tostring(customDimensions.reason)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize Skipped = sum(value) by workspace, reason
| order by Skipped desc
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'dead-lettered'
      content: {
        version: 'KqlItem/1.0'
        title: 'Dead-lettered, by reason code'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.dead_lettered"
| extend workspace = tostring(customDimensions.workspace), reason = tostring(customDimensions.reason)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize DeadLettered = sum(value) by bin(timestamp, {TimeRange:grain}), reason
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'dead-lettered-totals'
      content: {
        version: 'KqlItem/1.0'
        title: 'Dead-lettered, by workspace and reason code'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.dead_lettered"
| extend workspace = tostring(customDimensions.workspace), reason = tostring(customDimensions.reason)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize DeadLettered = sum(value) by workspace, reason
| order by DeadLettered desc
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'retried'
      content: {
        version: 'KqlItem/1.0'
        title: 'Retried (re-queued after a transient failure), by workspace'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.retried"
| extend workspace = tostring(customDimensions.workspace)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize Retried = sum(value) by bin(timestamp, {TimeRange:grain}), workspace
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'delivery-lag'
      content: {
        version: 'KqlItem/1.0'
        title: 'Delivery lag p95 (seconds), by workspace'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.delivery_lag" and valueCount > 0
| extend workspace = tostring(customDimensions.workspace)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize LagP95Seconds = percentilew(valueSum / valueCount, valueCount, 95) by bin(timestamp, {TimeRange:grain}), workspace
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'storage-waits'
      content: {
        version: 'KqlItem/1.0'
        title: 'Storage waits (handed back while Table storage was unavailable), by workspace'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.events.storage_waits"
| extend workspace = tostring(customDimensions.workspace)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize StorageWaits = sum(value) by bin(timestamp, {TimeRange:grain}), workspace
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'dead-letters-stored'
      content: {
        version: 'KqlItem/1.0'
        title: 'Dead letters stored, by workspace'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.dead_letters.stored"
| extend workspace = tostring(customDimensions.workspace), reason = tostring(customDimensions.reason)
| where "*" in ({Workspace}) or workspace in ({Workspace})
| summarize Stored = max(value) by bin(timestamp, {TimeRange:grain}), workspace, reason
| summarize Stored = sum(Stored) by timestamp, workspace
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'oldest-waiting-message'
      content: {
        version: 'KqlItem/1.0'
        title: 'Oldest waiting message (minutes), by queue'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.queue.oldest_message_age"
| extend queue = tostring(customDimensions.queue)
| summarize OldestWaitingMinutes = max(value) / 60.0 by bin(timestamp, {TimeRange:grain}), queue
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
    {
      type: 3
      name: 'queue-length'
      content: {
        version: 'KqlItem/1.0'
        title: 'Queue length (messages, delayed retries included), by queue'
        query: '''
customMetrics
| where timestamp {TimeRange}
| where name == "convertro.queue.length"
| extend queue = tostring(customDimensions.queue)
| summarize Messages = max(value) by bin(timestamp, {TimeRange:grain}), queue
'''
        size: 0
        timeContextFromParameter: 'TimeRange'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
      }
      customWidth: '50'
    }
  ]
  isLocked: false
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name is a GUID; this one is fixed by the resource it belongs to, so redeploying
  // updates it in place.
  name: guid(appInsights.id, 'ConvertroFunctions events workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'ConvertroFunctions events (${appInsightsName})'
    category: 'workbook'
    sourceId: appInsights.id
    version: 'Notebook/1.0'
    serializedData: string(union(workbookContent, { fallbackResourceIds: [appInsights.id] }))
  }
}
