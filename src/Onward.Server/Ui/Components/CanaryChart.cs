using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Components;
using Onward.Contracts.Deployments;

namespace Onward.Server.Ui.Components;

/// <summary>One canary metric over its intervals as inline SVG (no script): the canary's line, the baseline's dashed, and the limit.</summary>
public static class CanaryChart
{
    private const int Width = 320;
    private const int Height = 90;
    private const int Pad = 6;

    public static MarkupString Render(string metric, IReadOnlyList<CanaryAnalysisResponse> points, double? limit)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        static string N(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "none";
        var values = points.SelectMany(p => new[] { p.Value, p.Baseline }).Append(limit).OfType<double>().ToList();
        var (low, high) = values.Count == 0 ? (0, 1) : (Math.Min(0, values.Min()), values.Max());
        if (high <= low)
        {
            high = low + 1;
        }
        double X(int i) => points.Count <= 1 ? Width / 2.0 : Pad + i * (Width - 2.0 * Pad) / (points.Count - 1);
        double Y(double v) => Height - Pad - (v - low) * (Height - 2.0 * Pad) / (high - low);
        string Line(Func<CanaryAnalysisResponse, double?> pick) => string.Join(' ', points.Select((p, i) => (p, i)).Where(t => pick(t.p) is not null)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{X(t.i):0.#},{Y(pick(t.p)!.Value):0.#}")));
        var described = $"{metric}: " + string.Join(", ", points.Select(p => $"{p.At:HH:mm:ss} canary {N(p.Value)} baseline {N(p.Baseline)} {p.Verdict}"));
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"<svg role=\"img\" aria-label=\"{E(described)}\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" class=\"canary-chart\">");
        if (limit is { } l)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"0\" x2=\"{Width}\" y1=\"{Y(l):0.#}\" y2=\"{Y(l):0.#}\" class=\"chart-limit\"></line>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{Line(p => p.Baseline)}\" class=\"chart-baseline\"></polyline>")
            .Append(CultureInfo.InvariantCulture, $"<polyline points=\"{Line(p => p.Value)}\" class=\"chart-canary\"></polyline>");
        foreach (var (p, i) in points.Select((p, i) => (p, i)).Where(t => t.p.Verdict == "fail" && t.p.Value is not null))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(p.Value!.Value):0.#}\" r=\"3\" class=\"chart-fail\"></circle>");
        }
        return new MarkupString(svg.Append("</svg>").ToString());
    }
}
