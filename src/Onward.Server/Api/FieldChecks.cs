using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Core.Messages;

namespace Onward.Server.Api;

/// <summary>Refuses over-long text and control characters in a body's fields with a 400 that says which field and why.</summary>
public static class FieldChecks
{
    /// <param name="fields">Each field's name as the API spells it, its value (null when absent), its limit, and whether it is free text (which may hold line breaks and tabs).</param>
    /// <returns>The problem with the first field that is wrong, or null when all are fine.</returns>
    public static ProblemHttpResult? Problem(params (string Field, string? Value, int Max, bool FreeText)[] fields)
    {
        foreach (var (field, value, max, freeText) in fields)
        {
            if (value is null)
            {
                continue;
            }
            if (value.Length > max)
            {
                return BadRequest($"`{field}` is {value.Length} characters long; at most {max} are accepted");
            }
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (char.IsControl(c) && !(freeText && c is '\n' or '\r' or '\t'))
                {
                    return BadRequest($"`{field}` holds the control character U+{(int)c:X4}; {(freeText ? "write plain text (line breaks and tabs are fine)" : "names are plain text")}");
                }
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(c))
                {
                    return BadRequest($"`{field}` holds half of a UTF-16 surrogate pair; send valid Unicode text");
                }
            }
        }
        return null;
    }

    /// <summary>A value the caller sent, as an error message quotes it: at most 40 characters.</summary>
    public static string Shown(string value) => TextCut.After(value, 40);

    /// <summary>A query value naming one of <typeparamref name="T"/>'s members, in any case; a number is no name.</summary>
    public static bool TryParseName<T>(string text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    public static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: detail);
}
