using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Onward.Server.Ui.Components;

/// <summary>A small vertical bar chart as inline SVG (no script, nothing fetched): one bar per week, its value written above it.</summary>
public static class WeeklyBars
{
    private const int BarWidth = 44;
    private const int Gap = 12;
    private const int Height = 150;
    private const int Top = 18;

    /// <param name="label">What the chart shows, for screen readers (the values follow in it).</param>
    public static MarkupString Render(string label, IReadOnlyList<(string Week, double? Value, string Text)> bars)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var most = bars.Select(b => b.Value ?? 0).DefaultIfEmpty(0).Max();
        var width = Math.Max(bars.Count * (BarWidth + Gap), BarWidth);
        var described = label + ": " + string.Join(", ", bars.Select(b => $"week of {b.Week} {b.Text}"));
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg role=\"img\" aria-label=\"{E(described)}\" width=\"{width}\" height=\"{Height + 40}\" viewBox=\"0 0 {width} {Height + 40}\">");
        for (var i = 0; i < bars.Count; i++)
        {
            var (week, value, text) = bars[i];
            var bar = most <= 0 || value is null ? 0 : (int)Math.Round((Height - Top) * value.Value / most);
            var x = i * (BarWidth + Gap);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{Height - bar}\" width=\"{BarWidth}\" height=\"{bar}\" class=\"bar-control\"></rect>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Height - bar - 4}\" class=\"chart-label\">{E(text)}</text>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Height + 18}\" class=\"chart-label\">{E(week)}</text>");
        }
        return new MarkupString(svg.Append("</svg>").ToString());
    }
}
