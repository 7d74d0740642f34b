using System.Formats.Tar;
using System.Text;
using Onward.Integrations.LocalProcesses;
using Onward.Integrations.Registry;
using Onward.Testing;

namespace Onward.Integrations.Tests.LocalProcesses;

public class ImageUnpackerTests
{
    private static MemoryStream Layer(params (string Name, TarEntryType Type, string? Content)[] entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, type, content) in entries)
            {
                var entry = new PaxTarEntry(type, name);
                if (type == TarEntryType.SymbolicLink)
                {
                    entry.LinkName = content!;
                }
                else if (content is not null)
                {
                    entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
                }
                entry.Mode = type == TarEntryType.Directory ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100;
                writer.WriteEntry(entry);
            }
        }
        stream.Position = 0;
        return stream;
    }

    [Fact]
    public async Task Layers_apply_in_order_and_whiteouts_remove_what_lower_layers_added()
    {
        await using var dir = new TempDirectory();
        var root = dir.Combine("rootfs");
        Directory.CreateDirectory(root);

        await ImageUnpacker.ApplyAsync(Layer(
            ("app/", TarEntryType.Directory, null),
            ("app/config.txt", TarEntryType.RegularFile, "v1"),
            ("app/old.txt", TarEntryType.RegularFile, "old"),
            ("cache/", TarEntryType.Directory, null),
            ("cache/a", TarEntryType.RegularFile, "a"),
            ("./bin/tool", TarEntryType.RegularFile, "tool"),
            ("bin/link", TarEntryType.SymbolicLink, "tool")), root, CancellationToken.None);
        await ImageUnpacker.ApplyAsync(Layer(
            ("app/.wh.old.txt", TarEntryType.RegularFile, ""),
            ("app/config.txt", TarEntryType.RegularFile, "v2"),
            ("cache/.wh..wh..opq", TarEntryType.RegularFile, ""),
            ("cache/b", TarEntryType.RegularFile, "b")), root, CancellationToken.None);

        File.ReadAllText(Path.Combine(root, "app/config.txt")).ShouldBe("v2");
        File.Exists(Path.Combine(root, "app/old.txt")).ShouldBeFalse();
        File.Exists(Path.Combine(root, "app/.wh.old.txt")).ShouldBeFalse();
        Directory.GetFiles(Path.Combine(root, "cache")).Select(Path.GetFileName).ShouldBe(["b"]);
        new FileInfo(Path.Combine(root, "bin/link")).LinkTarget.ShouldBe("tool");
        File.ReadAllText(Path.Combine(root, "bin/link")).ShouldBe("tool");
    }

    [Fact]
    public async Task A_layer_cannot_write_outside_the_image()
    {
        await using var dir = new TempDirectory();
        var root = dir.Combine("rootfs");
        Directory.CreateDirectory(root);

        await Should.ThrowAsync<RegistryException>(() => ImageUnpacker.ApplyAsync(Layer(("../escape.txt", TarEntryType.RegularFile, "x")), root, CancellationToken.None));
        await ImageUnpacker.ApplyAsync(Layer(("etc", TarEntryType.SymbolicLink, dir.Path)), root, CancellationToken.None);
        await Should.ThrowAsync<RegistryException>(() => ImageUnpacker.ApplyAsync(Layer(("etc/passwd", TarEntryType.RegularFile, "x")), root, CancellationToken.None));

        File.Exists(dir.Combine("escape.txt")).ShouldBeFalse();
        File.Exists(dir.Combine("passwd")).ShouldBeFalse();
    }
}
