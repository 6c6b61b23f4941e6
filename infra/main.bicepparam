using './main.bicep'

// azd sets AZURE_ENV_NAME; with the Azure CLI, pass -p environmentName=<name> or export it.
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'convertro-dev')
