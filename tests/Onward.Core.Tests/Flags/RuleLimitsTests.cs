using System.Diagnostics;
using System.Text.Json.Nodes;
using Onward.Core.Flags;

namespace Onward.Core.Tests.Flags;

/// <summary>Issue 22.4: a flag's targeting is bounded when it is stored, and each evaluation whatever its context.</summary>
public class RuleLimitsTests
{
    private static string Literal(int count) => "[" + string.Join(",", Enumerable.Repeat(0, count)) + "]";

    /// <summary>Four reduces over 100 items each, nested: 10^8 operations; it took 17 s an evaluation before limits.</summary>
    public static string NestedReduces()
    {
        var rule = """{"+":[{"var":"accumulator"},1]}""";
        for (var i = 0; i < 4; i++)
        {
            rule = $$"""{"reduce":[{{Literal(100)}},{{rule}},0]}""";
        }
        return Document("slow", $$"""{"if":[{">":[{{rule}},0]},"on","off"]}""");
    }

    private static string Document(string key, string targeting, string evaluators = "{}") =>
        "{\"$evaluators\":" + evaluators + ",\"flags\":{\"" + key + "\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\",\"targeting\":" + targeting + "}}}";

    [Fact]
    public void Nested_loops_that_multiply_past_the_limit_are_refused_when_stored_naming_the_limit()
    {
        var (set, problems) = FlagSet.Parse(NestedReduces());

        var problem = problems.ShouldHaveSingleItem();
        problem.Path.ShouldBe("$.flags.slow.targeting");
        problem.Message.ShouldStartWith("the targeting may cost up to 604,040,407 operations in one evaluation");
        problem.Message.ShouldContain("at most 1,000,000 (limit: targeting cost)");
        set!.Flags["slow"].RuleError.ShouldNotBeNull("a stored document with such a flag still loads; the flag answers PARSE_ERROR");
    }

    [Fact]
    public void Loops_over_context_data_count_as_a_thousand_items_so_one_passes_and_two_nested_do_not()
    {
        FlagSet.Parse(Document("one", """{"some":[{"var":"groups"},{"in":[{"var":""},["admins","sre","billing"]]}]}""")).Problems.ShouldBeEmpty();
        FlagSet.Parse(Document("two", """{"some":[{"var":"groups"},{"some":[{"var":"teams"},{"==":[{"var":""},"x"]}]}]}""")).Problems
            .ShouldHaveSingleItem().Message.ShouldContain("(limit: targeting cost)");
    }

    [Fact]
    public void Depth_and_size_have_limits_of_their_own()
    {
        var deep = "true";
        for (var i = 0; i < 40; i++)
        {
            deep = $$"""{"!":{{deep}}}""";
        }
        FlagSet.Parse(Document("deep", deep)).Problems.ShouldHaveSingleItem().Message.ShouldContain("(limit: targeting depth)");
        FlagSet.Parse(Document("large", $$"""{"in":[{"var":"id"},{{Literal(60_000)}}]}""")).Problems.ShouldHaveSingleItem().Message.ShouldContain("(limit: targeting size)");
    }

    [Fact]
    public void References_to_a_large_evaluator_are_counted_before_they_are_copied()
    {
        var references = "[" + string.Join(",", Enumerable.Repeat("""{"$ref":"big"}""", 100)) + "]";
        var watch = Stopwatch.StartNew();

        var (_, problems) = FlagSet.Parse(Document("many", $$"""{"or":{{references}}}""", "{\"big\":{\"in\":[{\"var\":\"email\"}," + Literal(40_000) + "]}}"));

        problems.ShouldHaveSingleItem().Message.ShouldContain("once its `$ref`s are replaced (limit: targeting size)");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "nothing was copied a hundred times");
    }

    [Fact]
    public void An_evaluation_that_outgrows_its_budget_answers_general_instead_of_running_on()
    {
        // Cheap to look at (each step merges the list with itself), but it doubles a list 40 times.
        var doubling = $$"""{"reduce":[{{Literal(40)}},{"merge":[{"var":"accumulator"},{"var":"accumulator"}]},[1]]}""";
        var (set, problems) = FlagSet.Parse(Document("grows", $$"""{"if":[{"<":[{"var":"x"},{{doubling}}]},"on","off"]}"""));
        problems.ShouldBeEmpty();

        var resolution = FlagEvaluator.Evaluate(set!.Flags["grows"], "grows", new Dictionary<string, object?>(), 0);

        resolution.ErrorCode.ShouldBe(FlagErrorCodes.General);
        resolution.ErrorDetails!.ShouldBe("evaluating `grows` stopped: it took more than 2,000,000 operations (limit: operations per evaluation); simplify its targeting or send a smaller context");
    }

    [Fact]
    public void Text_joined_with_itself_is_charged_by_its_length()
    {
        var bomb = $$"""{"reduce":[{{Literal(30)}},{"cat":[{"var":"accumulator"},{"var":"accumulator"}]},"x"]}""";
        var (set, _) = FlagSet.Parse(Document("bomb", $$"""{"if":[{"==":[{{bomb}},"y"]},"on","off"]}"""));

        FlagEvaluator.Evaluate(set!.Flags["bomb"], "bomb", new Dictionary<string, object?>(), 0).ErrorCode.ShouldBe(FlagErrorCodes.General);
    }

    [Fact]
    public void A_request_shares_one_budget_among_its_flags_and_a_cancelled_one_stops()
    {
        var (set, _) = FlagSet.Parse(Document("loop", $$"""{"if":[{"some":[{{Literal(400)}},{"some":[{{Literal(400)}},{"==":[{"var":""},1]}]}]},"on","off"]}"""));
        var flag = set!.Flags["loop"];
        var budget = new EvaluationBudget(CancellationToken.None);
        var answers = Enumerable.Range(0, 60).Select(_ => FlagEvaluator.Evaluate(flag, "loop", new Dictionary<string, object?>(), 0, budget)).ToList();

        answers.Take(10).ShouldAllBe(a => a.ErrorCode == null);
        answers[^1].ErrorDetails!.ShouldContain("(limit: operations per request)");

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Should.Throw<OperationCanceledException>(() => FlagEvaluator.Evaluate(flag, "loop", new Dictionary<string, object?>(), 0, new EvaluationBudget(cancelled.Token)));
    }

    /// <summary>Text joined from many references to a large context value is refused before the string is made.</summary>
    [Fact]
    public void Joining_large_text_many_times_is_charged_before_the_text_is_made()
    {
        var parts = string.Join(",", Enumerable.Repeat("""{"var":"s"}""", 20_000));
        var (set, problems) = FlagSet.Parse(Document("long", $$"""{"if":[{"==":[{"cat":[{{parts}}]},"x"]},"on","off"]}"""));
        problems.ShouldBeEmpty("twenty thousand references look cheap");
        var context = new Dictionary<string, object?> { ["s"] = new string('s', 60_000) };
        var before = GC.GetAllocatedBytesForCurrentThread();

        var resolution = FlagEvaluator.Evaluate(set!.Flags["long"], "long", context, 0);

        resolution.ErrorCode.ShouldBe(FlagErrorCodes.General);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(100_000_000, "the 2.4 GB string was never made");
    }

    [Fact]
    public void Keys_looked_for_by_missing_are_charged()
    {
        var (set, problems) = FlagSet.Parse(Document("keys", "{\"if\":[{\"missing\":{\"var\":\"keys\"}},\"on\",\"off\"]}"));
        problems.ShouldBeEmpty();
        var context = new Dictionary<string, object?> { ["keys"] = Enumerable.Range(0, 50_000).Select(i => (object?)$"k{i}").ToList() };

        // A request with 10,000 operations left: looking for 50,000 keys is more than that.
        FlagEvaluator.Evaluate(set!.Flags["keys"], "keys", context, 0, new EvaluationBudget(10_000, CancellationToken.None)).ErrorCode.ShouldBe(FlagErrorCodes.General);
        FlagEvaluator.Evaluate(set.Flags["keys"], "keys", context, 0).ErrorCode.ShouldBeNull();
    }
}
