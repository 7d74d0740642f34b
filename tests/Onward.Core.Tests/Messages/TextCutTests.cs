using Onward.Core.Messages;

namespace Onward.Core.Tests.Messages;

public class TextCutTests
{
    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("exactly10!", 10, "exactly10!")]
    [InlineData("eleven char", 10, "eleven cha…")]
    [InlineData("ab😀cd", 3, "ab…")]
    [InlineData("ab😀cd", 4, "ab😀…")]
    public void After_keeps_the_first_characters_and_marks_the_cut(string text, int keep, string shown) =>
        TextCut.After(text, keep).ShouldBe(shown);

    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("exactly10!", 10, "exactly10!")]
    [InlineData("eleven char", 10, "eleven ch…")]
    [InlineData("ab😀cd", 4, "ab…")]
    [InlineData("ab😀cd", 5, "ab😀…")]
    public void Within_fits_the_text_and_its_mark_into_the_length(string text, int longest, string shown)
    {
        var fitted = TextCut.Within(text, longest);
        fitted.ShouldBe(shown);
        fitted.Length.ShouldBeLessThanOrEqualTo(longest);
    }

    [Fact]
    public void No_cut_leaves_half_a_surrogate_pair()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 50));
        for (var n = 2; n < text.Length; n++)
        {
            foreach (var cut in new[] { TextCut.After(text, n), TextCut.Within(text, n) })
            {
                cut.ShouldEndWith("…");
                cut[..^1].EnumerateRunes().ShouldNotContain(System.Text.Rune.ReplacementChar, $"cut at {n}");
            }
        }
    }
}
