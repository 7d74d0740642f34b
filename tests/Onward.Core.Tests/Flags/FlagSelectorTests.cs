using System.Text.Json.Nodes;
using Onward.Core.Flags;

namespace Onward.Core.Tests.Flags;

public class FlagSelectorTests
{
    private static FlagDefinition Flag(JsonNode? flagSetId) => new("k", true, new Dictionary<string, JsonNode?> { ["on"] = true }, FlagValueType.Boolean, "on", null, null, null,
        flagSetId is null ? new Dictionary<string, JsonNode?>() : new Dictionary<string, JsonNode?> { ["flagSetId"] = flagSetId });

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("flagSetId=shop", "shop")]
    [InlineData(" flagSetId = shop ", "shop")]
    [InlineData("flagSetId=", "")]
    public void A_selector_names_a_flag_set_or_none(string? text, string? flagSetId)
    {
        var (selector, problem) = FlagSelector.Parse(text);

        problem.ShouldBeNull();
        selector?.FlagSetId.ShouldBe(flagSetId);
        (selector is null).ShouldBe(flagSetId is null);
    }

    [Theory]
    [InlineData("source=/etc/flags.json", "Onward selects by flag set only")]
    [InlineData("/etc/flags.json", "Onward selects by flag set only")]
    [InlineData("team=x", "unknown key 'team'")]
    [InlineData("flagSetId=a\u0001", "printable characters")]
    public void Anything_else_is_refused_with_what_to_write(string text, string problem) =>
        FlagSelector.Parse(text).Problem.ShouldNotBeNull().ShouldContain(problem);

    [Fact]
    public void A_selector_longer_than_256_characters_is_refused() =>
        FlagSelector.Parse("flagSetId=" + new string('x', 247)).Problem.ShouldNotBeNull().ShouldStartWith("invalid selector: at most 256");

    [Fact]
    public void A_flag_is_selected_by_its_set_a_number_compared_as_written_and_no_set_only_by_an_empty_id()
    {
        new FlagSelector("shop").Selects(Flag("shop")).ShouldBeTrue();
        new FlagSelector("shop").Selects(Flag("search")).ShouldBeFalse();
        new FlagSelector("shop").Selects(Flag(null)).ShouldBeFalse();
        new FlagSelector("").Selects(Flag(null)).ShouldBeTrue();
        new FlagSelector("").Selects(Flag("shop")).ShouldBeFalse();
        new FlagSelector("17").Selects(Flag(17)).ShouldBeTrue();
    }
}
