namespace ConvertroFunctions.LocalHost.Azurite;

/// <summary>Finds the repository (the folder with ConvertroFunctions.sln and package.json).</summary>
public static class RepoPaths
{
    public static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ConvertroFunctions.sln"))
                    && File.Exists(Path.Combine(dir.FullName, "package.json")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException(
            "Cannot find the ConvertroFunctions repository (ConvertroFunctions.sln next to package.json) above " +
            $"'{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}'. Run LocalHost from the repository, " +
            "or set AzureWebJobsStorage to a running storage account or Azurite.");
    }
}
