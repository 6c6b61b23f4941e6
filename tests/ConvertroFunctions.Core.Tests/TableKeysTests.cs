using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Tests;

public sealed class TableKeysTests
{
    [Theory]
    [InlineData("acme", true)]
    [InlineData("acme.12ab", true)]
    [InlineData("ws/acme", false)]
    [InlineData("ws\\acme", false)]
    [InlineData("ws#1", false)]
    [InlineData("ws?1", false)]
    [InlineData("ws\u0001", false)]
    [InlineData("", false)]
    public void IsValid_TheCharactersTableStorageRefuses(string key, bool valid) => Assert.Equal(valid, TableKeys.IsValid(key));

    [Fact]
    public void Checked_TooLong_NamesWhatAndWhy()
    {
        var ex = Assert.Throws<ArgumentException>(() => TableKeys.Checked(new string('a', 513), "workspace id"));

        Assert.Contains("workspace id", ex.Message);
        Assert.Contains("512 characters", ex.Message);
    }
}
