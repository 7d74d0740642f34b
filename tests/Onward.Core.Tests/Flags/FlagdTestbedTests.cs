using System.Globalization;
using System.Text.Json.Nodes;
using Onward.Core.Flags;

namespace Onward.Core.Tests.Flags;

/// <summary>
/// The evaluator scenarios of the public flagd-testbed v3.9.0 (evaluator/gherkin/*.feature, the outlines tagged for v2
/// fractional bucketing, nested fractional arguments and operator errors; v1 and v3 bucketing are other generations),
/// over its evaluator test-kit flags (testkit-flags.json, copied unchanged). Each row is one example: the flag, the
/// type the caller asks for with its fallback, the context, and what must come back. The caller's side (fallback on
/// errors and value-less answers, TYPE_MISMATCH) is what an OpenFeature SDK does with the resolution.
/// </summary>
public class FlagdTestbedTests
{
    private static readonly FlagSet Testkit = LoadTestkit();
    private const long Now = 1_780_000_000;

    private static FlagSet LoadTestkit()
    {
        var (set, problems) = FlagSet.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Flags", "testkit-flags.json")));
        return set ?? throw new InvalidOperationException(string.Join("; ", problems));
    }

    public static TheoryData<string, string, string, string, string, string?, string?> Scenarios => new()
    {
        // evaluation.feature: basic values
        { "boolean-flag", "Boolean", "false", "{}", "true", "STATIC", null },
        { "string-flag", "String", "bye", "{}", "hi", "STATIC", null },
        { "integer-flag", "Integer", "1", "{}", "10", "STATIC", null },
        { "float-flag", "Float", "0.1", "{}", "0.5", "STATIC", null },
        { "object-flag", "Object", "{}", "{}", """{"showImages": true,"title": "Check out these pics!","imagesPerPage": 100}""", "STATIC", null },
        // disabled.feature
        { "disabled-boolean-flag", "Boolean", "false", "{}", "false", "DISABLED", null },
        { "disabled-string-flag", "String", "bye", "{}", "bye", "DISABLED", null },
        { "disabled-integer-flag", "Integer", "1", "{}", "1", "DISABLED", null },
        { "disabled-float-flag", "Float", "0.1", "{}", "0.1", "DISABLED", null },
        { "disabled-object-flag", "Object", "{}", "{}", "{}", "DISABLED", null },
        // errors.feature
        { "missing-flag", "String", "uh-oh", "{}", "uh-oh", "ERROR", "FLAG_NOT_FOUND" },
        { "wrong-flag", "Integer", "13", "{}", "13", "ERROR", "TYPE_MISMATCH" },
        // evaluator-refs.feature
        { "some-email-targeted-flag", "String", "fallback", """{"email":"ballmer@macrosoft.com"}""", "hi", "TARGETING_MATCH", null },
        { "some-other-email-targeted-flag", "String", "fallback", """{"email":"ballmer@macrosoft.com"}""", "yes", "TARGETING_MATCH", null },
        { "ref-whitespace-compact-flag", "String", "fallback", """{"email":"ballmer@macrosoft.com"}""", "hi", "TARGETING_MATCH", null },
        { "ref-whitespace-space-after-colon-flag", "String", "fallback", """{"email":"ballmer@macrosoft.com"}""", "hi", "TARGETING_MATCH", null },
        { "ref-whitespace-space-around-colon-flag", "String", "fallback", """{"email":"ballmer@macrosoft.com"}""", "hi", "TARGETING_MATCH", null },
        { "ref-whitespace-compact-flag", "String", "fallback", """{"email":"user@example.com"}""", "bye", "TARGETING_MATCH", null },
        { "ref-whitespace-space-after-colon-flag", "String", "fallback", """{"email":"user@example.com"}""", "bye", "TARGETING_MATCH", null },
        { "ref-whitespace-space-around-colon-flag", "String", "fallback", """{"email":"user@example.com"}""", "bye", "TARGETING_MATCH", null },
        { "ref-to-nonexistent-evaluator-flag", "String", "fallback", "{}", "fallback", "ERROR", "PARSE_ERROR" },
        // fractional.feature, v2
        { "fractional-flag", "String", "fallback", """{"user":{"name":"jack"}}""", "hearts", "TARGETING_MATCH", null },
        { "fractional-flag", "String", "fallback", """{"user":{"name":"queen"}}""", "spades", "TARGETING_MATCH", null },
        { "fractional-flag", "String", "fallback", """{"user":{"name":"ten"}}""", "clubs", "TARGETING_MATCH", null },
        { "fractional-flag", "String", "fallback", """{"user":{"name":"nine"}}""", "diamonds", "TARGETING_MATCH", null },
        { "fractional-flag", "String", "fallback", """{"user":{"name":"3"}}""", "clubs", "TARGETING_MATCH", null },
        { "fractional-flag-shorthand", "String", "fallback", """{"targetingKey":"jon@company.com"}""", "heads", "TARGETING_MATCH", null },
        { "fractional-flag-shorthand", "String", "fallback", """{"targetingKey":"jane@company.com"}""", "tails", "TARGETING_MATCH", null },
        { "fractional-flag-A-shared-seed", "String", "fallback", """{"user":{"name":"seven"}}""", "hearts", "TARGETING_MATCH", null },
        { "fractional-flag-A-shared-seed", "String", "fallback", """{"user":{"name":"eight"}}""", "diamonds", "TARGETING_MATCH", null },
        { "fractional-flag-A-shared-seed", "String", "fallback", """{"user":{"name":"nine"}}""", "clubs", "TARGETING_MATCH", null },
        { "fractional-flag-A-shared-seed", "String", "fallback", """{"user":{"name":"two"}}""", "spades", "TARGETING_MATCH", null },
        { "fractional-flag-B-shared-seed", "String", "fallback", """{"user":{"name":"seven"}}""", "ace-of-hearts", "TARGETING_MATCH", null },
        { "fractional-flag-B-shared-seed", "String", "fallback", """{"user":{"name":"eight"}}""", "ace-of-diamonds", "TARGETING_MATCH", null },
        { "fractional-flag-B-shared-seed", "String", "fallback", """{"user":{"name":"nine"}}""", "ace-of-clubs", "TARGETING_MATCH", null },
        { "fractional-flag-B-shared-seed", "String", "fallback", """{"user":{"name":"two"}}""", "ace-of-spades", "TARGETING_MATCH", null },
        { "fractional-single-entry-flag", "String", "fallback", """{"targetingKey":"some-targeting-key"}""", "single", "TARGETING_MATCH", null },
        { "fractional-hash-edge-flag", "String", "fallback", """{"targetingKey":"ejOoVL"}""", "lower", "TARGETING_MATCH", null },
        { "fractional-hash-edge-flag", "String", "fallback", """{"targetingKey":"bY9fO-"}""", "lower", "TARGETING_MATCH", null },
        { "fractional-hash-edge-flag", "String", "fallback", """{"targetingKey":"SI7p-"}""", "lower", "TARGETING_MATCH", null },
        { "fractional-hash-edge-flag", "String", "fallback", """{"targetingKey":"6LvT0"}""", "upper", "TARGETING_MATCH", null },
        { "fractional-hash-edge-flag", "String", "fallback", """{"targetingKey":"ceQdGm"}""", "upper", "TARGETING_MATCH", null },
        // fractional.feature, nested arguments
        { "fractional-nested-if-flag", "String", "fallback", """{"targetingKey":"jon@company.com","tier":"premium"}""", "premium", "TARGETING_MATCH", null },
        { "fractional-nested-if-flag", "String", "fallback", """{"targetingKey":"jon@company.com","tier":"basic"}""", "standard", "TARGETING_MATCH", null },
        { "fractional-nested-if-flag", "String", "fallback", """{"targetingKey":"user1","tier":"premium"}""", "standard", "TARGETING_MATCH", null },
        { "fractional-nested-if-flag", "String", "fallback", """{"targetingKey":"user1","tier":"basic"}""", "standard", "TARGETING_MATCH", null },
        { "fractional-nested-var-flag", "String", "fallback", """{"targetingKey":"jon@company.com","color":"red"}""", "red", "TARGETING_MATCH", null },
        { "fractional-nested-var-flag", "String", "fallback", """{"targetingKey":"jon@company.com","color":"green"}""", "green", "TARGETING_MATCH", null },
        { "fractional-nested-var-flag", "String", "fallback", """{"targetingKey":"user1","color":"red"}""", "blue", "TARGETING_MATCH", null },
        { "fractional-nested-var-flag", "String", "fallback", """{"targetingKey":"jon@company.com","color":"yellow"}""", "fallback", "ERROR", "GENERAL" },
        { "fractional-nested-var-flag", "String", "fallback", """{"targetingKey":"jon@company.com","color":""}""", "fallback", "ERROR", "GENERAL" },
        { "fractional-nested-weight-flag", "String", "fallback", """{"targetingKey":"jon@company.com","tier":"premium"}""", "red", "TARGETING_MATCH", null },
        { "fractional-nested-weight-flag", "String", "fallback", """{"targetingKey":"jon@company.com","tier":"basic"}""", "blue", "TARGETING_MATCH", null },
        { "fractional-nested-weight-flag", "String", "fallback", """{"targetingKey":"user1","tier":"premium"}""", "red", "TARGETING_MATCH", null },
        { "fractional-nested-weight-flag", "String", "fallback", """{"targetingKey":"user1","tier":"basic"}""", "blue", "TARGETING_MATCH", null },
        { "fractional-as-condition-flag", "String", "zero", """{"targetingKey":"some-targeting-key"}""", "hundreds", "TARGETING_MATCH", null },
        { "fractional-as-condition-false-flag", "String", "zero", """{"targetingKey":"some-targeting-key"}""", "ones", "TARGETING_MATCH", null },
        // fractional.feature, operator errors
        { "fractional-null-bucket-key-flag", "String", "wrong", "{}", "fallback", "DEFAULT", null },
        { "fractional-zero-weights-flag", "String", "wrong", """{"targetingKey":"any-user"}""", "fallback", "DEFAULT", null },
        { "fractional-negative-weight-flag", "String", "wrong", """{"targetingKey":"any-user"}""", "two", "TARGETING_MATCH", null },
        // metadata.feature is below; no-default-variant.feature
        { "null-default-flag", "Boolean", "true", """{"email":""}""", "true", "DEFAULT", null },
        { "null-default-flag", "Boolean", "false", """{"email":""}""", "false", "DEFAULT", null },
        { "undefined-default-flag", "Integer", "100", """{"email":""}""", "100", "DEFAULT", null },
        { "no-default-flag-null-targeting-variant", "String", "Inventor", """{"email":"wozniak@orange.com"}""", "Inventor", "DEFAULT", null },
        { "no-default-flag-null-targeting-variant", "String", "CEO", """{"email":"jobs@orange.com"}""", "CEO", "TARGETING_MATCH", null },
        { "no-default-flag-undefined-targeting-variant", "String", "Retired", """{"email":"wozniak@orange.com"}""", "Retired", "DEFAULT", null },
        // semver.feature
        { "equal-greater-lesser-version-flag", "String", "fallback", """{"version":"2.0.0"}""", "equal", "TARGETING_MATCH", null },
        { "equal-greater-lesser-version-flag", "String", "fallback", """{"version":"2.1.0"}""", "greater", "TARGETING_MATCH", null },
        { "equal-greater-lesser-version-flag", "String", "fallback", """{"version":"1.9.0"}""", "lesser", "TARGETING_MATCH", null },
        { "equal-greater-lesser-version-flag", "String", "fallback", """{"version":"2.0.0-alpha"}""", "lesser", "TARGETING_MATCH", null },
        { "equal-greater-lesser-version-flag", "String", "fallback", """{"version":"2.0.0.0"}""", "none", "TARGETING_MATCH", null },
        { "major-minor-version-flag", "String", "fallback", """{"version":"3.0.1"}""", "minor", "TARGETING_MATCH", null },
        { "major-minor-version-flag", "String", "fallback", """{"version":"3.1.0"}""", "major", "TARGETING_MATCH", null },
        { "major-minor-version-flag", "String", "fallback", """{"version":"4.0.0"}""", "none", "TARGETING_MATCH", null },
        { "semver-invalid-version-flag", "String", "wrong", """{"version":"not-a-version"}""", "fallback", "DEFAULT", null },
        { "semver-invalid-operator-flag", "String", "wrong", """{"version":"1.0.0"}""", "fallback", "DEFAULT", null },
        { "semver-v-prefix-flag", "String", "fallback", """{"version":"1.0.0"}""", "match", "TARGETING_MATCH", null },
        { "semver-v-prefix-flag", "String", "fallback", """{"version":"v1.0.0"}""", "match", "TARGETING_MATCH", null },
        { "semver-v-prefix-flag", "String", "fallback", """{"version":"V1.0.0"}""", "match", "TARGETING_MATCH", null },
        { "semver-v-prefix-flag", "String", "fallback", """{"version":"2.0.0"}""", "no-match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":"1.5.0"}""", "match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":"1.0.0"}""", "match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":"1.0"}""", "match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":"1"}""", "match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":1}""", "match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":1.0}""", "match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":1.2}""", "match", "TARGETING_MATCH", null },
        { "semver-partial-version-flag", "String", "fallback", """{"version":"2.0.0"}""", "no-match", "TARGETING_MATCH", null },
        { "semver-numeric-context-flag", "String", "fallback", """{"version":1.2}""", "match", "TARGETING_MATCH", null },
        { "semver-numeric-context-flag", "String", "fallback", """{"version":1.1}""", "no-match", "TARGETING_MATCH", null },
        { "semver-numeric-context-flag", "String", "fallback", """{"version":2}""", "match", "TARGETING_MATCH", null },
        { "semver-numeric-context-flag", "String", "fallback", """{"version":1}""", "no-match", "TARGETING_MATCH", null },
        { "semver-numeric-context-flag", "String", "fallback", """{"version":"1.2"}""", "match", "TARGETING_MATCH", null },
        { "semver-build-metadata-flag", "String", "fallback", """{"version":"1.0.0"}""", "match", "TARGETING_MATCH", null },
        { "semver-build-metadata-flag", "String", "fallback", """{"version":"1.0.0+other"}""", "match", "TARGETING_MATCH", null },
        { "semver-build-metadata-flag", "String", "fallback", """{"version":"2.0.0"}""", "no-match", "TARGETING_MATCH", null },
        { "semver-wrong-args-flag", "String", "wrong", """{"version":"1.0.0"}""", "fallback", "DEFAULT", null },
        // string.feature
        { "starts-ends-flag", "String", "fallback", """{"id":"abcdef"}""", "prefix", "TARGETING_MATCH", null },
        { "starts-ends-flag", "String", "fallback", """{"id":"uvwxyz"}""", "postfix", "TARGETING_MATCH", null },
        { "starts-ends-flag", "String", "fallback", """{"id":"abcxyz"}""", "prefix", "TARGETING_MATCH", null },
        { "starts-ends-flag", "String", "fallback", """{"id":"lmnopq"}""", "none", "TARGETING_MATCH", null },
        { "starts-with-non-string-flag", "String", "wrong", """{"num":123}""", "fallback", "DEFAULT", null },
        { "ends-with-non-string-flag", "String", "wrong", """{"num":123}""", "fallback", "DEFAULT", null },
        { "starts-with-wrong-args-flag", "String", "wrong", "{}", "fallback", "DEFAULT", null },
        { "ends-with-wrong-args-flag", "String", "wrong", "{}", "fallback", "DEFAULT", null },
        // targeting.feature
        { "targeting-key-flag", "String", "fallback", """{"targetingKey":"5c3d8535-f81a-4478-a6d3-afaa4d51199e"}""", "hit", "TARGETING_MATCH", null },
        { "targeting-key-flag", "String", "fallback", """{"targetingKey":"f20bd32d-703b-48b6-bc8e-79d53c85134a"}""", "miss", "DEFAULT", null },
        // zero-values.feature
        { "boolean-zero-flag", "Boolean", "true", "{}", "false", "STATIC", null },
        { "string-zero-flag", "String", "hi", "{}", "", "STATIC", null },
        { "integer-zero-flag", "Integer", "1", "{}", "0", "STATIC", null },
        { "float-zero-flag", "Float", "0.1", "{}", "0.0", "STATIC", null },
        { "object-zero-flag", "Object", """{"a": 1}""", "{}", "{}", "STATIC", null },
        { "boolean-targeted-zero-flag", "Boolean", "true", """{"email":"ballmer@macrosoft.com"}""", "false", "TARGETING_MATCH", null },
        { "string-targeted-zero-flag", "String", "hi", """{"email":"ballmer@macrosoft.com"}""", "", "TARGETING_MATCH", null },
        { "integer-targeted-zero-flag", "Integer", "1", """{"email":"ballmer@macrosoft.com"}""", "0", "TARGETING_MATCH", null },
        { "float-targeted-zero-flag", "Float", "0.1", """{"email":"ballmer@macrosoft.com"}""", "0.0", "TARGETING_MATCH", null },
        { "boolean-targeted-zero-flag", "Boolean", "true", """{"email":"ballmer@none.com"}""", "false", "DEFAULT", null },
        { "string-targeted-zero-flag", "String", "hi", """{"email":"ballmer@none.com"}""", "", "DEFAULT", null },
        { "integer-targeted-zero-flag", "Integer", "1", """{"email":"ballmer@none.com"}""", "0", "DEFAULT", null },
        { "float-targeted-zero-flag", "Float", "0.1", """{"email":"ballmer@none.com"}""", "0.0", "DEFAULT", null },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void A_testbed_scenario_resolves_as_flagd_does(string key, string type, string fallback, string context, string value, string? reason, string? errorCode)
    {
        var resolution = FlagEvaluator.Evaluate(Testkit.Flags.GetValueOrDefault(key), key, (IReadOnlyDictionary<string, object?>)FlagData.FromJson(JsonNode.Parse(context))!, Now);
        var (resolved, finalReason, finalError) = AsSdk(resolution, type, fallback);

        Same(type, resolved, value).ShouldBeTrue($"{key} resolved {resolved}, expected {value} ({resolution})");
        finalReason.ShouldBe(reason);
        finalError.ShouldBe(errorCode);
    }

    [Fact]
    public void Flag_metadata_is_returned_and_flags_without_it_have_none()
    {
        var resolution = FlagEvaluator.Evaluate(Testkit.Flags["metadata-flag"], "metadata-flag", FlagData.EmptyObject, Now);

        resolution.Metadata["string"]!.GetValue<string>().ShouldBe("1.0.2");
        resolution.Metadata["integer"]!.GetValue<long>().ShouldBe(2);
        resolution.Metadata["float"]!.GetValue<double>().ShouldBe(0.1);
        resolution.Metadata["boolean"]!.GetValue<bool>().ShouldBeTrue();
        foreach (var key in new[] { "boolean-flag", "integer-flag", "float-flag", "string-flag" })
        {
            FlagEvaluator.Evaluate(Testkit.Flags[key], key, FlagData.EmptyObject, Now).Metadata.ShouldBeEmpty();
        }
    }

    /// <summary>What an OpenFeature SDK makes of a resolution for a typed call: the fallback on an error or without a value, TYPE_MISMATCH on the wrong type.</summary>
    private static (string Value, string Reason, string? ErrorCode) AsSdk(FlagResolution resolution, string type, string fallback)
    {
        if (resolution.ErrorCode is not null)
        {
            return (fallback, resolution.Reason, resolution.ErrorCode);
        }
        if (!resolution.HasValue)
        {
            return (fallback, resolution.Reason, null);
        }
        var kind = resolution.Value?.GetValueKind();
        var matches = type switch
        {
            "Boolean" => kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
            "String" => kind is System.Text.Json.JsonValueKind.String,
            "Integer" or "Float" => kind is System.Text.Json.JsonValueKind.Number,
            _ => kind is System.Text.Json.JsonValueKind.Object,
        };
        if (!matches)
        {
            return (fallback, "ERROR", "TYPE_MISMATCH");
        }
        return (resolution.Value is JsonValue v && kind == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : resolution.Value!.ToJsonString(), resolution.Reason, null);
    }

    private static bool Same(string type, string actual, string expected) => type switch
    {
        "Integer" or "Float" => double.Parse(actual, CultureInfo.InvariantCulture) == double.Parse(expected, CultureInfo.InvariantCulture),
        "Object" => JsonNode.DeepEquals(JsonNode.Parse(actual), JsonNode.Parse(expected)),
        "Boolean" => bool.Parse(actual) == bool.Parse(expected),
        _ => actual == expected,
    };
}
