using System.ComponentModel.DataAnnotations;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Delivery;

namespace ConvertroFunctions.Core.Tests;

public sealed class DeliveryRulesTests
{
    [Theory]
    [InlineData(200, OutcomeKind.Delivered)]
    [InlineData(202, OutcomeKind.Delivered)]
    [InlineData(204, OutcomeKind.Delivered)]
    [InlineData(408, OutcomeKind.Transient)]
    [InlineData(429, OutcomeKind.Transient)]
    [InlineData(500, OutcomeKind.Transient)]
    [InlineData(502, OutcomeKind.Transient)]
    [InlineData(503, OutcomeKind.Transient)]
    [InlineData(504, OutcomeKind.Transient)]
    [InlineData(501, OutcomeKind.Permanent)]
    [InlineData(400, OutcomeKind.Permanent)]
    [InlineData(401, OutcomeKind.Permanent)]
    [InlineData(403, OutcomeKind.Permanent)]
    [InlineData(404, OutcomeKind.Permanent)]
    [InlineData(422, OutcomeKind.Permanent)]
    [InlineData(423, OutcomeKind.Permanent)]
    [InlineData(301, OutcomeKind.Permanent)]
    public void Classify_Status_FollowsTheContractRule(int status, OutcomeKind expected)
    {
        Assert.Equal(expected, SendOutcome.Classify(status));
    }

    [Fact]
    public void RetrySchedule_Default_EightAttemptsOverAboutFourHours()
    {
        var schedule = new DeliveryOptions().RetrySchedule;

        Assert.Equal(7, schedule.Count);
        Assert.InRange(schedule.Aggregate(TimeSpan.Zero, (sum, delay) => sum + delay), TimeSpan.FromHours(3.5), TimeSpan.FromHours(4.5));
        Assert.Equal(schedule.Order(), schedule);
    }

    [Theory]
    [InlineData("00:00:30, 00:02:00 ,00:10:00", 3)]
    [InlineData("00:00:00.200", 1)]
    public void RetrySchedule_CommaSeparatedTimeSpans_Parsed(string text, int count)
    {
        var options = new DeliveryOptions { RetryDelays = text };

        Assert.Equal(count, options.RetrySchedule.Count);
        Assert.Empty(options.Validate(new ValidationContext(options)));
    }

    [Theory]
    [InlineData("30s")]
    [InlineData("00:00:30,-00:00:01")]
    [InlineData("8.00:00:00")]
    public void RetrySchedule_Invalid_ValidationNamesTheSettingAndTheBadPart(string text)
    {
        var options = new DeliveryOptions { RetryDelays = text };

        var error = Assert.Single(options.Validate(new ValidationContext(options)));
        Assert.StartsWith("Delivery:RetryDelays must be comma-separated TimeSpans", error.ErrorMessage);
    }
}
