using System.Buffers.Binary;
using System.Text;

namespace Onward.Integrations.Git;

/// <summary>
/// A mirror's commit-graph (https://git-scm.com/docs/gitformat-commit-graph), read into memory: every commit's parents
/// and topological level, so that ancestry and merge bases are answered without starting git. A split graph is a chain
/// of layers (<c>objects/info/commit-graphs/commit-graph-chain</c>, base first); positions count across the chain, base
/// layers first. Levels only fall along parent edges, so a walk looking for an ancestor never goes below its level.
/// </summary>
public sealed class CommitGraph
{
    private const uint NoParent = 0x70000000;
    private const uint ExtraEdges = 0x80000000;
    private readonly List<Layer> _layers;
    private readonly int[] _parent1;
    private readonly int[] _parent2;
    private readonly int[][] _moreParents;
    private readonly int[] _level;
    private readonly int[] _seen;
    private readonly Lock _walk = new();
    private int _epoch;

    private CommitGraph(List<Layer> layers, int[] parent1, int[] parent2, int[][] moreParents, int[] level)
    {
        _layers = layers;
        _parent1 = parent1;
        _parent2 = parent2;
        _moreParents = moreParents;
        _level = level;
        _seen = new int[level.Length];
    }

    public int Count => _level.Length;

    /// <summary>The commit-graph of a (bare) repository, split or not; null when it has none or it cannot be read.</summary>
    public static CommitGraph? Load(string gitDirectory)
    {
        var info = Path.Combine(gitDirectory, "objects", "info");
        var chain = Path.Combine(info, "commit-graphs", "commit-graph-chain");
        List<string> files;
        if (File.Exists(chain))
        {
            files = File.ReadAllLines(chain).Where(l => l.Length > 0).Select(h => Path.Combine(info, "commit-graphs", $"graph-{h.Trim()}.graph")).ToList();
        }
        else if (File.Exists(Path.Combine(info, "commit-graph")))
        {
            files = [Path.Combine(info, "commit-graph")];
        }
        else
        {
            return null;
        }
        try
        {
            return Read(files.Select(File.ReadAllBytes).ToList());
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            // A graph being rewritten, or one of a format this reader does not know: git answers instead.
            return null;
        }
    }

    /// <summary>The position of a commit given as 40 or 64 hexadecimal digits, or null when the graph does not hold it.</summary>
    public int? Find(string objectId)
    {
        if (objectId.Length % 2 != 0 || !objectId.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        var id = Convert.FromHexString(objectId);
        foreach (var layer in _layers)
        {
            if (layer.Find(id) is { } local)
            {
                return layer.Base + local;
            }
        }
        return null;
    }

    /// <summary>The object id at a position.</summary>
    public string IdAt(int position)
    {
        foreach (var layer in _layers)
        {
            if (position < layer.Base + layer.Count)
            {
                return layer.IdAt(position - layer.Base);
            }
        }
        throw new ArgumentOutOfRangeException(nameof(position));
    }

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="descendant"/> or in its history.</summary>
    public bool IsAncestor(int ancestor, int descendant)
    {
        if (ancestor == descendant)
        {
            return true;
        }
        var floor = _level[ancestor];
        lock (_walk)
        {
            var epoch = NextEpoch();
            var stack = new Stack<int>();
            stack.Push(descendant);
            _seen[descendant] = epoch;
            while (stack.TryPop(out var at))
            {
                // Parents are looked at without an iterator: a long history is walked commit by commit.
                var more = _moreParents[at];
                for (var i = -2; i < more.Length; i++)
                {
                    var parent = i == -2 ? _parent1[at] : i == -1 ? _parent2[at] : more[i];
                    if (parent < 0)
                    {
                        continue;
                    }
                    if (parent == ancestor)
                    {
                        return true;
                    }
                    // Everything below the ancestor's level, or on it, cannot lead to it.
                    if (_level[parent] > floor && _seen[parent] != epoch)
                    {
                        _seen[parent] = epoch;
                        stack.Push(parent);
                    }
                }
            }
            return false;
        }
    }

    /// <summary>
    /// A best common ancestor of two commits (as <c>git merge-base</c> gives one of them), or null when they share no
    /// history: both histories are walked together from the highest level down, and the first commit reached from both
    /// is common and has no common descendant below it.
    /// </summary>
    public int? MergeBase(int a, int b)
    {
        if (a == b)
        {
            return a;
        }
        lock (_walk)
        {
            // _seen holds, for this walk, which side reached a commit: epoch + 1 (from a), + 2 (from b), + 3 (both).
            var epoch = NextEpoch();
            var queue = new PriorityQueue<int, int>(Comparer<int>.Create((x, y) => y.CompareTo(x)));
            _seen[a] = epoch + 1;
            _seen[b] = epoch + 2;
            queue.Enqueue(a, _level[a]);
            queue.Enqueue(b, _level[b]);
            while (queue.TryDequeue(out var at, out _))
            {
                var sides = _seen[at] - epoch;
                if (sides == 3)
                {
                    return at;
                }
                var more = _moreParents[at];
                for (var i = -2; i < more.Length; i++)
                {
                    var parent = i == -2 ? _parent1[at] : i == -1 ? _parent2[at] : more[i];
                    if (parent < 0)
                    {
                        continue;
                    }
                    var before = _seen[parent] - epoch;
                    var known = before is >= 1 and <= 3 ? before : 0;
                    var now = known | sides;
                    if (now != known)
                    {
                        _seen[parent] = epoch + now;
                        queue.Enqueue(parent, _level[parent]);
                    }
                }
            }
            return null;
        }
    }

    /// <summary>A fresh range of marks for a walk (a walk uses at most the epoch and the three after it), so that <c>_seen</c> is never cleared between walks.</summary>
    private int NextEpoch()
    {
        if (_epoch > int.MaxValue - 8)
        {
            Array.Clear(_seen);
            _epoch = 0;
        }
        _epoch += 4;
        return _epoch;
    }

    private static CommitGraph Read(List<byte[]> files)
    {
        var layers = new List<Layer>();
        var total = 0;
        foreach (var file in files)
        {
            var layer = Layer.Parse(file, total);
            layers.Add(layer);
            total += layer.Count;
        }
        var parent1 = new int[total];
        var parent2 = new int[total];
        var moreParents = new int[total][];
        var level = new int[total];
        foreach (var layer in layers)
        {
            layer.Fill(parent1, parent2, moreParents, level);
        }
        return new CommitGraph(layers, parent1, parent2, moreParents, level);
    }

    private sealed class Layer
    {
        private readonly byte[] _file;
        private readonly int _hash;
        private readonly int _fanout;
        private readonly int _lookup;
        private readonly int _data;
        private readonly int _edges;

        private Layer(byte[] file, int hash, int fanout, int lookup, int data, int edges, int count, int @base)
        {
            _file = file;
            _hash = hash;
            _fanout = fanout;
            _lookup = lookup;
            _data = data;
            _edges = edges;
            Count = count;
            Base = @base;
        }

        public int Count { get; }

        /// <summary>How many commits the layers below hold: this layer's first position.</summary>
        public int Base { get; }

        public static Layer Parse(byte[] file, int @base)
        {
            // Header: "CGPH", version 1, hash version (1: SHA-1, 2: SHA-256), number of chunks, number of base graphs.
            if (file.Length < 8 || Encoding.ASCII.GetString(file, 0, 4) != "CGPH" || file[4] != 1)
            {
                throw new FormatException("not a commit-graph file of version 1");
            }
            var hash = file[5] switch
            {
                1 => 20,
                2 => 32,
                _ => throw new FormatException($"unknown hash version {file[5]}"),
            };
            var chunks = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < file[6]; i++)
            {
                var entry = 8 + (i * 12);
                chunks[Encoding.ASCII.GetString(file, entry, 4)] = checked((int)BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan(entry + 4)));
            }
            if (!chunks.TryGetValue("OIDF", out var fanout) || !chunks.TryGetValue("OIDL", out var lookup) || !chunks.TryGetValue("CDAT", out var data))
            {
                throw new FormatException("a commit-graph without its fanout, lookup or commit data");
            }
            var count = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(fanout + (255 * 4)));
            return new Layer(file, hash, fanout, lookup, data, chunks.GetValueOrDefault("EDGE", -1), count, @base);
        }

        public void Fill(int[] parent1, int[] parent2, int[][] moreParents, int[] level)
        {
            for (var i = 0; i < Count; i++)
            {
                // Commit data: root tree, first parent, second parent (or an index into the extra edges), then the
                // topological level in the top 30 bits of the next word.
                var entry = _data + (i * (_hash + 16));
                var global = Base + i;
                var first = BinaryPrimitives.ReadUInt32BigEndian(_file.AsSpan(entry + _hash));
                var second = BinaryPrimitives.ReadUInt32BigEndian(_file.AsSpan(entry + _hash + 4));
                parent1[global] = first == NoParent ? -1 : (int)first;
                moreParents[global] = [];
                if (second == NoParent)
                {
                    parent2[global] = -1;
                }
                else if ((second & ExtraEdges) != 0)
                {
                    // An octopus merge: its second and further parents are a list in the extra edges, the last marked.
                    var list = new List<int>();
                    var at = _edges + (int)((second & ~ExtraEdges) * 4);
                    while (true)
                    {
                        var edge = BinaryPrimitives.ReadUInt32BigEndian(_file.AsSpan(at));
                        list.Add((int)(edge & ~ExtraEdges));
                        if ((edge & ExtraEdges) != 0)
                        {
                            break;
                        }
                        at += 4;
                    }
                    parent2[global] = list[0];
                    moreParents[global] = [.. list.Skip(1)];
                }
                else
                {
                    parent2[global] = (int)second;
                }
                level[global] = (int)(BinaryPrimitives.ReadUInt32BigEndian(_file.AsSpan(entry + _hash + 8)) >> 2);
            }
        }

        public int? Find(byte[] id)
        {
            if (id.Length != _hash)
            {
                return null;
            }
            var low = id[0] == 0 ? 0 : (int)BinaryPrimitives.ReadUInt32BigEndian(_file.AsSpan(_fanout + ((id[0] - 1) * 4)));
            var high = (int)BinaryPrimitives.ReadUInt32BigEndian(_file.AsSpan(_fanout + (id[0] * 4))) - 1;
            while (low <= high)
            {
                var middle = (low + high) >>> 1;
                var order = _file.AsSpan(_lookup + (middle * _hash), _hash).SequenceCompareTo(id);
                if (order == 0)
                {
                    return middle;
                }
                if (order < 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }
            return null;
        }

        public string IdAt(int local) => Convert.ToHexStringLower(_file, _lookup + (local * _hash), _hash);
    }
}
