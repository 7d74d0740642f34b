using System.Security.Cryptography;

namespace Onward.Integrations.Registry;

/// <summary>Reads a blob and fails at its end when the bytes do not hash to the digest they were asked for.</summary>
public sealed class DigestCheckingStream(Stream inner, string digest, IDisposable owner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _checked;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Check(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            owner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }

    private int Check(ReadOnlySpan<byte> read)
    {
        if (read.Length > 0)
        {
            _hash.AppendData(read);
            return read.Length;
        }
        if (_checked)
        {
            return 0;
        }
        _checked = true;
        var actual = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (actual != digest)
        {
            throw new RegistryException($"blob {digest} arrived with the content of {actual}");
        }
        return 0;
    }
}
