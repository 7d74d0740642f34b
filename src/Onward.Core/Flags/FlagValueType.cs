namespace Onward.Core.Flags;

/// <summary>The one type all of a flag's variants share.</summary>
public enum FlagValueType
{
    Boolean,
    Text,
    Number,
    Structure,
}
