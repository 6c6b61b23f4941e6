// ConvertroFunctions on Azure Functions Flex Consumption (.NET 10 isolated worker).
// Identity-based storage (no shared keys), Application Insights with Entra ID auth, a workbook
// of the app's metrics, alerts to an action group (modules/alerts.bicep), and the contract's
// queues and tables (Workspaces, DeadLetters) created up front; the app creates the rest at run
// time (the dated Events/Stats/Links tables it also drops, DeadLetterUsers, Privacy, PrivacyAudit),
// which its Storage Table Data Contributor role allows.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
@description('Short name of this environment (e.g. convertro-prod); part of every resource name.')
param environmentName string

@description('Azure region; defaults to the resource group\'s.')
param location string = resourceGroup().location

@minValue(40)
@maxValue(1000)
@description('Flex Consumption: most instances the app scales out to.')
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
@description('Flex Consumption: memory per instance, in MB.')
param instanceMemoryMB int = 2048

@description('Sends every Convertro call to this base URL instead of https://{workspace domain} (Convertro__BaseUrl); empty for production.')
param convertroBaseUrl string = ''

@minValue(1)
@maxValue(120)
@description('Per-attempt timeout of one call to Convertro (Convertro__TimeoutSeconds).')
param convertroTimeoutSeconds int = 10

@description('Waits between delivery attempts after a transient failure (Delivery__RetryDelays); about 4 hours in all.')
param retryDelays string = '00:00:30,00:01:00,00:05:00,00:15:00,00:30:00,01:00:00,02:00:00'

// Alerts (modules/alerts.bicep; docs/operations.md, "Alerts and what to do"). The console's banner
// reads the oldest-message, dead-letter and poison thresholds from app settings set from these.
@description('E-mail addresses the alerts notify (the action group\'s receivers); empty: add receivers to the action group later.')
param alertEmails array = []

@minValue(0)
@description('Alert when more Segment requests than this are refused for their signature within 5 minutes, per workspace.')
param signatureRejectionsThreshold int = 0

@minValue(0)
@description('Alert (and the console\'s banner) when more events than this are dead-lettered within deadLetterWindowMinutes, per workspace and reason.')
param deadLettersThreshold int = 0

@minValue(5)
@maxValue(2880)
@description('The dead-letter alert\'s window, in minutes: it resolves this long after the last dead letter.')
param deadLetterWindowMinutes int = 60

@minValue(1)
@description('Alert when a workspace\'s delivery lag p95 (approximated from one-minute means) is above this many minutes over 15 minutes.')
param deliveryLagP95Minutes int = 10

@minValue(0)
@description('Alert when segment-events grows by more than this many messages over 15 minutes (lowest of the last 5 minutes above the highest of the first 5).')
param backlogGrowthThreshold int = 0

@minValue(0)
@description('Alert (and the console\'s banner) when segment-events-poison holds more messages than this for 15 minutes.')
param poisonMessagesThreshold int = 0

@minValue(1)
@maxValue(10080)
@description('Alert (and the console\'s banner) when the oldest message waiting in segment-events is older than this many minutes.')
param oldestMessageMinutes int = 30

@minValue(1)
@maxValue(3)
@description('Alert when GET /api/health fails from at least this many of the availability test\'s 3 locations within 5 minutes.')
param healthFailedLocations int = 2

@minValue(0)
@description('Alert when more invocations of one function than this fail (exception or 5xx) within 15 minutes.')
param functionFailuresThreshold int = 5

@minValue(1)
@maxValue(100)
@description('Alert when a skip reason\'s share of a workspace\'s events rises by more than this many percentage points (last hour against the day before).')
param skippedShareIncreasePoints int = 20

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${environmentName}-${resourceToken}'
var identityName = 'id-${environmentName}-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var appInsightsName = 'appi-${environmentName}-${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${environmentName}-${resourceToken}'
    appInsightsName: appInsightsName
    location: location
    tags: tags
  }
}

// Events per workspace from the metrics the app exports (customMetrics), on the Application Insights resource.
module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    appInsightsName: appInsightsName
    location: location
    tags: tags
  }
  dependsOn: [monitoring]
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    // Names known before deployment, so role assignment names are stable and What-If is exact.
    storageAccountName: storageAccountName
    appInsightsName: appInsightsName
    identityName: identityName
    principalId: identity.outputs.principalId
  }
  dependsOn: [storage, monitoring]
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: functionAppName
    planName: 'plan-${environmentName}-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    appInsightsName: appInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    convertroBaseUrl: convertroBaseUrl
    convertroTimeoutSeconds: convertroTimeoutSeconds
    retryDelays: retryDelays
    oldestMessageMinutes: oldestMessageMinutes
    deadLetterWindowMinutes: deadLetterWindowMinutes
    deadLettersThreshold: deadLettersThreshold
    poisonMessagesThreshold: poisonMessagesThreshold
  }
  dependsOn: [roles, monitoring]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: 'convertro-${environmentName}'
    appInsightsName: appInsightsName
    location: location
    tags: tags
    functionAppHostName: functionApp.outputs.defaultHostName
    alertEmails: alertEmails
    signatureRejectionsThreshold: signatureRejectionsThreshold
    deadLettersThreshold: deadLettersThreshold
    deadLetterWindowMinutes: deadLetterWindowMinutes
    deliveryLagP95Minutes: deliveryLagP95Minutes
    backlogGrowthThreshold: backlogGrowthThreshold
    poisonMessagesThreshold: poisonMessagesThreshold
    oldestMessageMinutes: oldestMessageMinutes
    healthFailedLocations: healthFailedLocations
    functionFailuresThreshold: functionFailuresThreshold
    skippedShareIncreasePoints: skippedShareIncreasePoints
  }
  dependsOn: [monitoring]
}

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output SEGMENT_WEBHOOK_URL_TEMPLATE string = 'https://${functionApp.outputs.defaultHostName}/api/segment/{workspaceId}?code={IngestFunction key}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
