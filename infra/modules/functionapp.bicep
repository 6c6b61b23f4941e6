// The Flex Consumption plan and the function app (dotnet-isolated 10.0). On Flex the runtime is
// set in functionAppConfig, never with FUNCTIONS_WORKER_RUNTIME or linuxFxVersion.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string
@description('Application Insights resource; its connection string is read here rather than passed through outputs.')
param appInsightsName string
param maximumInstanceCount int
param instanceMemoryMB int
param convertroBaseUrl string
param convertroTimeoutSeconds int
param retryDelays string
@description('The console banner\'s thresholds: the same parameters as the alert rules (modules/alerts.bicep).')
param oldestMessageMinutes int
param deadLetterWindowMinutes int
param deadLettersThreshold int
param poisonMessagesThreshold int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
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
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: {
      // Identity-based AzureWebJobsStorage, read by the host and by this app (StorageClients).
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
      AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
      AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      Convertro__TimeoutSeconds: string(convertroTimeoutSeconds)
      Delivery__RetryDelays: retryDelays
      // Empty means https://{workspace domain}, the production setting.
      Convertro__BaseUrl: convertroBaseUrl
      // The console's banner uses the alerts' thresholds (Core's MonitoringOptions).
      Monitoring__OldestMessageMinutes: string(oldestMessageMinutes)
      Monitoring__DeadLetterWindowMinutes: string(deadLetterWindowMinutes)
      Monitoring__DeadLettersThreshold: string(deadLettersThreshold)
      Monitoring__PoisonMessagesThreshold: string(poisonMessagesThreshold)
      // Every workspace must have a sharedSecret: unsigned requests get 401.
      Ingest__RequireSignature: 'true'
    }
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
