using System.Text.Json;
using Onward.Core.Sources;
using Onward.Core.Messages;

namespace Onward.Integrations.GitProviders;

/// <summary>
/// Reads fields of a webhook payload by their documented types. A field of the wrong type, or a commit or ref that is
/// not one, is a <see cref="PayloadException"/> naming the field by its path (<c>repository.clone_url</c>,
/// <c>push.changes[0].new.target.hash</c>); an absent optional field is null.
/// </summary>
public readonly record struct PayloadReader(JsonElement Element, string Path)
{
    public static PayloadReader Root(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? new PayloadReader(element, "") : throw new PayloadException("(the payload)", $"must be a JSON object, not {Kind(element)}");

    private string PathOf(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    private JsonElement? Find(string name) =>
        Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>A child object that must be there.</summary>
    public PayloadReader Child(string name) =>
        OptionalChild(name) ?? throw new PayloadException(PathOf(name), "is missing; it must be an object");

    public PayloadReader? OptionalChild(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } value => new PayloadReader(value, PathOf(name)),
        var value => throw new PayloadException(PathOf(name), $"must be an object, not {Kind(value.Value)}"),
    };

    public IEnumerable<PayloadReader> Objects(string name)
    {
        if (Find(name) is not { } list)
        {
            throw new PayloadException(PathOf(name), "is missing; it must be a list");
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new PayloadException(PathOf(name), $"must be a list, not {Kind(list)}");
        }
        var path = PathOf(name);
        return list.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.Object
            ? new PayloadReader(item, $"{path}[{i}]")
            : throw new PayloadException($"{path}[{i}]", $"must be an object, not {Kind(item)}"));
    }

    public string? Text(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        var value => throw new PayloadException(PathOf(name), $"must be a string, not {Kind(value.Value)}"),
    };

    public string Required(string name) => Text(name) ?? throw new PayloadException(PathOf(name), "is missing; it must be a string");

    public bool? Flag(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        var value => throw new PayloadException(PathOf(name), $"must be true or false, not {Kind(value.Value)}"),
    };

    /// <summary>A whole number such as a pull request's; null when absent.</summary>
    public long? Whole(string name) => Find(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number) && number > 0 => number,
        var value => throw new PayloadException(PathOf(name), $"must be a positive whole number, not {Kind(value.Value)}"),
    };

    public long RequiredWhole(string name) => Whole(name) ?? throw new PayloadException(PathOf(name), "is missing; it must be a number");

    /// <summary>A commit id, in full or abbreviated to 7 hexadecimal digits or more (Bitbucket's pull requests name commits so).</summary>
    public string RequiredCommitPrefix(string name)
    {
        var text = Required(name);
        return text.Length is >= 7 and <= 64 && text.All(char.IsAsciiHexDigit)
            ? text.ToLowerInvariant()
            : throw new PayloadException(PathOf(name), $"must be a commit id (7 to 64 hexadecimal digits), not '{Shorten(text)}'");
    }

    /// <summary>A commit id in full (see <see cref="CommitId"/>), all zeros included; null when absent.</summary>
    public string? Commit(string name)
    {
        var text = Text(name);
        if (text is not null && !CommitId.IsFull(text))
        {
            throw new PayloadException(PathOf(name), $"must be a full commit id (40 or 64 hexadecimal digits), not '{Shorten(text)}'");
        }
        return text?.ToLowerInvariant();
    }

    public string RequiredCommit(string name) => Commit(name) ?? throw new PayloadException(PathOf(name), "is missing; it must be a commit id");

    /// <summary>A full ref name such as <c>refs/heads/main</c>, by git's rules for ref names.</summary>
    public string RequiredRef(string name)
    {
        var text = Required(name);
        return RefName.IsValid(text) ? text : throw new PayloadException(PathOf(name), $"is not a valid git ref name: '{Shorten(text)}'");
    }

    /// <summary>A branch or tag name without <c>refs/…/</c>, by the same rules.</summary>
    public string RequiredShortRef(string name)
    {
        var text = Required(name);
        return RefName.IsValid("refs/heads/" + text) ? text : throw new PayloadException(PathOf(name), $"is not a valid branch or tag name: '{Shorten(text)}'");
    }

    private static string Shorten(string text) => TextCut.After(text, 80);

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
