using ConvertroFunctions.Core.Convertro;

namespace ConvertroFunctions.Core.Tests;

public sealed class ConvertroMapperGoldenTests
{
    public static IEnumerable<object[]> Cases => GoldenCase.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Map_GoldenCase_ProducesExactRequestsOrSkipReason(string name)
    {
        var golden = GoldenCase.Load(name);
        var settings = golden.Settings();

        var result = ConvertroMapper.Map(golden.Event, settings, GoldenCase.ReceivedAt);

        if (golden.ExpectedSkipCode is { } expectedSkip)
        {
            Assert.True(result.IsSkipped, $"{name}: expected skip '{expectedSkip}' but got {result.Calls.Count} call(s)");
            Assert.Equal(expectedSkip, result.Skip!.Code);
            Assert.Empty(result.Calls);
            return;
        }
        Assert.False(result.IsSkipped, $"{name}: unexpectedly skipped: {result.Skip?.Message}");
        var actual = result.Calls
            .Select(call => ConvertroWire.Build(call, ConvertroWire.BaseUri(null, settings.Domain)))
            .Select(request => (request.Method.Method, request.Url))
            .ToList();
        Assert.Equal(golden.ExpectedRequests.ToList(), actual);
    }

    [Fact]
    public void GoldenFolder_EverySkipReasonAndEndpoint_IsExercised()
    {
        var cases = GoldenCase.All().Select(c => GoldenCase.Load((string)c[0])).ToList();
        var skips = cases.Select(c => c.ExpectedSkipCode).OfType<string>().ToHashSet();
        var paths = cases.Where(c => c.ExpectedSkipCode is null).SelectMany(c => c.ExpectedRequests)
            .Select(r => new Uri(r.Url).AbsolutePath.Split('/')[1..3]).Select(segments => string.Join('/', segments)).ToHashSet();

        // Superset(expectedSubset, actual): the golden folder's codes and paths must include all of these.
        Assert.Superset(new HashSet<string>
        {
            SkipReason.IntegrationDisabled.Code, SkipReason.NoDeviceId.Code, SkipReason.IdentifyWithoutUserId.Code,
            SkipReason.OrderWithoutOrderId.Code, SkipReason.EventNotMapped("x").Code, SkipReason.TypeNotSent("x").Code,
            SkipReason.UserDeleted.Code, SkipReason.DeleteWithoutUserId.Code,
        }, skips);
        Assert.Superset(new HashSet<string> { "api/user", "api/hit", "api/install" }, paths);
    }
}
