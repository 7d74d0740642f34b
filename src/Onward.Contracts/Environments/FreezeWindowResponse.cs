namespace Onward.Contracts.Environments;

public sealed record FreezeWindowResponse(string Cron, string Duration, string Timezone);
