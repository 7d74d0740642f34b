namespace Onward.Integrations.GitProviders;

/// <summary>A webhook payload that does not have the shape its provider documents: which field, and what is wrong with it.</summary>
public sealed class PayloadException(string field, string problem) : Exception($"`{field}` {problem}")
{
    public string Field { get; } = field;
}
