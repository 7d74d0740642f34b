namespace Onward.Core.Configuration;

/// <summary>A command for <c>/bin/sh -c</c> from a template (see <see cref="Placeholders.FillShell"/>).</summary>
/// <param name="Command">What the shell runs: placeholders as references to <paramref name="Environment"/>'s variables.</param>
/// <param name="Environment">The variables the command refers to, each holding one value; the process must get them.</param>
/// <param name="Shown">The command with the values written in, for a person to read in a log; never run.</param>
public sealed record ShellCommand(string Command, IReadOnlyDictionary<string, string> Environment, string Shown);
