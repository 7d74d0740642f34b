using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Onward.Storage.Access;

namespace Onward.Server.Composition;

/// <summary>
/// ASP.NET Core's data-protection key ring in Onward's database (<see cref="ProtectionKeyStore"/>), shared by every
/// replica. The key manager reads it when it starts and when a key is due, and writes a new key every 90 days.
/// </summary>
public sealed class DatabaseKeyRepository(ProtectionKeyStore keys, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        keys.AllAsync(CancellationToken.None).GetAwaiter().GetResult().Select(x => XElement.Parse(x)).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        keys.AddAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow(), CancellationToken.None).GetAwaiter().GetResult();
}
