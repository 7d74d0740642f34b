using System.Diagnostics;
using Onward.Core.Configuration;

namespace Onward.Core.Tests.Configuration;

/// <summary>Issue 22.2: no value put into a command can change the command's structure.</summary>
public class PlaceholdersTests
{
    public static TheoryData<string> Hostile => new()
    {
        "v4;id>pwned;echo",
        "v1$(touch pwned)",
        "v1`touch pwned`",
        "v1'; touch pwned; echo '",
        "v1\"; touch pwned; echo \"",
        "v1\ntouch pwned",
        "v1 && touch pwned",
        "v1|touch pwned",
        "${IFS}touch${IFS}pwned",
        "v1\\",
        "v1\\'",
        "'\"'\"$(touch pwned)`touch pwned`",
        "\\`touch pwned\\`",
        "}\"; touch pwned; \"",
        "-rf",
        "",
    };

    /// <summary>Commands of every quoting a user might write around a placeholder, and what each prints (V: the value).</summary>
    private static readonly (string Template, string Prints)[] Commands =
    [
        ("printf %s {version}", "V"),
        ("printf %s '{version}'", "V"),
        ("printf %s \"{version}\"", "V"),
        ("printf %s x{version}y", "xVy"),
        ("printf %s 'x'{version}\"y\"", "xVy"),
        ("printf %s 'a {version} b'", "a V b"),
        ("printf %s \"a {version} b\"", "a V b"),
        ("printf %s \"$(printf %s {version})\"", "V"),
        ("printf %s \"$(printf %s \"{version}\")\"", "V"),
        ("printf %s \"$(printf %s '({version})')\"", "(V)"),
        ("printf %s \"`printf %s {version}`\"", "V"),
        ("printf %s \"`printf %s \"{version}\"`\"", "V"),
        ("printf %s \"${UNSET:-{version}}\"", "V"),
        ("X={version}; printf %s \"$X\"", "V"),
    ];

    /// <summary>Spots a shell reads otherwise than a simple reading of quotes suggests: none may run what a value holds.</summary>
    private static readonly string[] Tricky =
    [
        "echo ${X:-\"}\"} {version}",
        "echo ${X:-'}'} {version}",
        "echo \"$( (true) ; echo {version} )\"",
        "echo `echo \"{version}\"`",
        "echo `echo '{version}'`",
        "case x in x) echo {version} ;; esac",
        "echo \"$(case x in x) echo {version} ;; esac)\"",
        "echo '\"' {version} '\"'",
        "echo \\\" {version} \\'",
        "# {version}\necho {version}",
    ];

    private static (string Command, Dictionary<string, string> Environment) Filled(string template, string value)
    {
        var filled = Placeholders.FillShell(template, new Dictionary<string, string> { ["version"] = value });
        return (filled.Command, new Dictionary<string, string>(filled.Environment));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_value_is_passed_whole_whatever_the_quoting_around_it(string value)
    {
        using var dir = new TempFolder();
        foreach (var (template, prints) in Commands)
        {
            var (command, environment) = Filled(template, value);
            var (output, status) = await ShAsync(command, environment, dir.Path);

            status.ShouldBe(0, $"{template} → {command}");
            output.ShouldBe(prints.Replace("V", value, StringComparison.Ordinal), $"{template} → {command}");
            File.Exists(Path.Combine(dir.Path, "pwned")).ShouldBeFalse($"{template} → {command}");
        }
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_value_runs_nothing_where_the_shell_reads_quotes_otherwise(string value)
    {
        using var dir = new TempFolder();
        foreach (var template in Tricky)
        {
            var (command, environment) = Filled(template, value);
            await ShAsync(command, environment, dir.Path);

            File.Exists(Path.Combine(dir.Path, "pwned")).ShouldBeFalse($"{template} → {command}");
        }
    }

    [Fact]
    public void The_command_holds_references_and_the_environment_the_values()
    {
        var filled = Placeholders.FillShell("run {version} '{version}' \"{commit}\" {other}",
            new Dictionary<string, string> { ["version"] = "1; id", ["commit"] = "abc" });

        filled.Command.ShouldBe("run \"${ONWARD_ARG_VERSION}\" ''\"${ONWARD_ARG_VERSION}\"'' \"${ONWARD_ARG_COMMIT}\" {other}");
        filled.Environment.ShouldBe(new Dictionary<string, string> { ["ONWARD_ARG_VERSION"] = "1; id", ["ONWARD_ARG_COMMIT"] = "abc" });
        filled.Shown.ShouldBe("run 1; id '1; id' \"abc\" {other}");
        Placeholders.FillShell("# {version}\necho {version}", new Dictionary<string, string> { ["version"] = "a b" }).Command
            .ShouldBe("# {version}\necho \"${ONWARD_ARG_VERSION}\"");
    }

    [Theory]
    [InlineData("echo $(( {port} + 1 ))", "port", "inside $((…))")]
    [InlineData("cat <<EOF\n{commit}\nEOF", "commit", "in a here-document")]
    [InlineData("cat <<< {commit}", "commit", "in a here-document")]
    [InlineData("echo $'{commit}\\n'", "commit", "inside $'…'")]
    public void Spots_that_cannot_be_filled_are_named(string template, string name, string where)
    {
        Placeholders.UnsafeSpots(template).ShouldBe([(name, where)]);
        Should.Throw<ArgumentException>(() => Placeholders.FillShell(template, new Dictionary<string, string> { [name] = "1" }));
    }

    [Theory]
    [InlineData("echo {version} '{version}' \"{version}\" $(echo {version}) \"$(echo '{version}')\"")]
    [InlineData("echo '`{version}`' \"\\`{version}\" '${{version}}' `echo {version}` ${X:-{version}} # `{version}`")]
    public void Every_other_spot_can_be_filled(string template) =>
        Placeholders.UnsafeSpots(template).ShouldBeEmpty();

    [Fact]
    public void Url_values_are_percent_encoded()
    {
        Placeholders.FillUrl("http://127.0.0.1:{port}/v/{version}?e={environment}",
                new Dictionary<string, string> { ["port"] = "9000", ["version"] = "1.0/../x?y#z", ["environment"] = "dev 1" })
            .ShouldBe("http://127.0.0.1:9000/v/1.0%2F..%2Fx%3Fy%23z?e=dev%201");
    }

    private static async Task<(string Output, int Status)> ShAsync(string command, Dictionary<string, string> environment, string directory)
    {
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (output, process.ExitCode);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("onward-placeholders-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
