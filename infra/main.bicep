// ConvertroFunctions on Azure Functions Flex Consumption (.NET 10 isolated worker).
// Identity-based storage (no shared keys), Application Insights with Entra ID auth and a workbook
// of the app's metrics, and the contract's queues and tables (Workspaces, DeadLetters) created up
// front; the app creates the rest at run time (the dated Events/Stats/Links tables it also drops,
// DeadLetterUsers, Privacy, PrivacyAudit), which its Storage Table Data Contributor role allows.
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
  }
  dependsOn: [roles, monitoring]
}

output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output SEGMENT_WEBHOOK_URL_TEMPLATE string = 'https://${functionApp.outputs.defaultHostName}/api/segment/{workspaceId}?code={IngestFunction key}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
