using Microsoft.Extensions.Configuration;

namespace ConvertroFunctions.Core.Tests;

public sealed class LoggingDefaultsTests
{
    [Fact]
    public void AddConvertroLoggingDefaults_NothingElseSet_FrameworkCategoriesAtWarningPollyOff()
    {
        var configuration = new ConfigurationBuilder().AddConvertroLoggingDefaults().Build();

        Assert.Equal("None", configuration["Logging:LogLevel:Polly"]);
        Assert.Equal("Warning", configuration["Logging:LogLevel:System.Net.Http.HttpClient"]);
        Assert.Equal("Warning", configuration["Logging:LogLevel:Microsoft.AspNetCore"]);
    }

    [Fact]
    public void AddConvertroLoggingDefaults_SettingAddedEarlier_SettingStillWins()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Logging:LogLevel:Polly", "Debug")])
            .AddConvertroLoggingDefaults()
            .Build();

        Assert.Equal("Debug", configuration["Logging:LogLevel:Polly"]);
    }
}
