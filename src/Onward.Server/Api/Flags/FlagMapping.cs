using System.Text.Json.Nodes;
using Onward.Contracts.Flags;
using Onward.Core.Flags;

namespace Onward.Server.Api.Flags;

public static class FlagMapping
{
    public static FlagResponse ToResponse(EffectiveFlag effective)
    {
        var flag = effective.Flag;
        var json = flag.ToJson();
        var source = effective.Source;
        return new FlagResponse(
            flag.Key,
            flag.Enabled ? "ENABLED" : "DISABLED",
            (JsonObject)json["variants"]!.DeepClone(),
            flag.DefaultVariant,
            json["targeting"]?.DeepClone() as JsonObject,
            json["metadata"]?.DeepClone() as JsonObject,
            new FlagSourceResponse(source.Service is null ? "environment" : "release", source.Service, source.Version, source.DeploymentId, source.Actor, source.UpdatedAt),
            effective.Switch is { } s
                ? new FlagSwitchResponse(s.Enabled is null ? null : s.Enabled.Value ? "ENABLED" : "DISABLED", s.DefaultVariant, s.Targeting?.DeepClone() as JsonObject, s.Actor, s.Comment, s.At)
                : null);
    }

    public static FlagChangeResponse ToResponse(FlagChange change) => new(
        change.Id, change.Key, change.Actor, change.At, change.Comment, change.Source, change.DeploymentId,
        EnvironmentFlags.Diff(change.Before, change.After).Select(d => new FlagFieldChangeResponse(d.Field, d.Before, d.After)).ToList());
}
