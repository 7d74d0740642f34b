using Cronos;
using Onward.Core.Access;

namespace Onward.Core.Configuration;

/// <summary>Reads an environment's <c>policy</c>: automatic deployment and promotion, prerequisites, approvals, freezes.</summary>
public sealed class PolicyReader(NodeReader nodes, AuthMode authMode)
{
    public EnvironmentPolicy Read(YamlNode? node, string path)
    {
        var autoDeploy = AutoDeployMode.None;
        var requires = new List<string>();
        var requiresAt = new List<ConfigPosition>();
        var forwardOnly = true;
        var onFailure = OnFailureMode.Restore;
        var autoPromote = false;
        ApprovalPolicy? approval = null;
        List<FreezeWindow> freeze = [];
        var flagApproval = false;
        CanaryConfig? canary = null;
        if (node is not null && nodes.AsMapping(node, path) is { } map)
        {
            var keys = nodes.Keys(map, path, "autoDeploy", "requires", "autoPromote", "approval", "forwardOnly", "onFailure", "freeze", "flags", "canary");
            if (nodes.Text(keys.Get("autoDeploy"), path + ".autoDeploy") is { } a)
            {
                autoDeploy = a.Value switch
                {
                    "main" => AutoDeployMode.Main,
                    "none" or "never" => AutoDeployMode.None,
                    _ => nodes.Invalid(a, path + ".autoDeploy", $"unknown value '{a.Value}'", "use `main` (every successful build) or leave it out", AutoDeployMode.None),
                };
            }
            if (keys.Get("requires") is { } r)
            {
                foreach (var item in nodes.StringList(r, path + ".requires"))
                {
                    requires.Add(item.Value);
                    requiresAt.Add(ConfigPosition.Of(item));
                }
            }
            if (nodes.Flag(keys.Get("forwardOnly"), path + ".forwardOnly") is { } f)
            {
                forwardOnly = f;
            }
            if (nodes.Text(keys.Get("onFailure"), path + ".onFailure") is { } o)
            {
                onFailure = o.Value switch
                {
                    "restore" => OnFailureMode.Restore,
                    "halt" => OnFailureMode.Halt,
                    _ => nodes.Invalid(o, path + ".onFailure", $"unknown value '{o.Value}'", "use `restore` or `halt`", OnFailureMode.Restore),
                };
            }
            if (nodes.Text(keys.Get("autoPromote"), path + ".autoPromote") is { } p)
            {
                autoPromote = p.Value switch
                {
                    "releaseCandidates" => true,
                    "none" => false,
                    _ => nodes.Invalid(p, path + ".autoPromote", $"unknown value '{p.Value}'", "use `releaseCandidates` or leave it out", false),
                };
                if (autoPromote && requires.Count == 0)
                {
                    nodes.Problem(p, path + ".autoPromote", "automatic promotion needs environments a release proves itself in first",
                        "add `requires: [dev-1]` (the environments whose success promotes a release candidate here)");
                }
            }
            if (keys.Get("approval") is { } approvalNode)
            {
                approval = ReadApproval(approvalNode, path + ".approval");
            }
            if (keys.Get("freeze") is { } freezeNode)
            {
                freeze = ReadFreezeWindows(freezeNode, path + ".freeze");
            }
            if (keys.Get("canary") is { } canaryNode)
            {
                canary = new CanaryReader(nodes).Read(canaryNode, path + ".canary");
                if (canary is not null && approval is null && canary.Steps.Any(s => s.Approval))
                {
                    nodes.Problem(canaryNode, path + ".canary.steps", "a canary step waits for approval but the environment has no `approval`",
                        "add `approval: { required: 1, approvers: [release-managers] }`: the step waits for the same approvers as deployments");
                }
            }
            if (keys.Get("flags") is { } flagsNode && nodes.AsMapping(flagsNode, path + ".flags") is { } flagsMap)
            {
                var flagKeys = nodes.Keys(flagsMap, path + ".flags", "approval");
                flagApproval = nodes.Flag(flagKeys.Get("approval"), path + ".flags.approval") ?? false;
                if (flagApproval && approval is null && keys.Get("approval") is null)
                {
                    nodes.Problem(flagsMap, path + ".flags", "flag changes need approval but the environment has no `approval`",
                        "add `approval: { required: 1, approvers: [release-managers] }`: flag changes wait for the same approvals as deployments");
                }
            }
        }
        return new EnvironmentPolicy(autoDeploy, requires, autoPromote, approval, forwardOnly, onFailure, freeze) { RequiresAt = requiresAt, FlagChangesNeedApproval = flagApproval, Canary = canary };
    }

    private ApprovalPolicy? ReadApproval(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "required", "approvers", "allowSelfApproval", "includeAutoPromotions", "expiry");
        var required = nodes.Number(keys.Get("required"), path + ".required", 1, 10) ?? 1;
        var approverNodes = keys.Get("approvers") is { } a ? nodes.StringList(a, path + ".approvers") : [];
        foreach (var group in approverNodes.Where(g => !AccessTokens.IsValidName(g.Value)))
        {
            nodes.Problem(group, path + ".approvers", $"'{group.Value}' is not a group name tokens can carry", "use lowercase letters, digits, '.', '_' and '-', e.g. `release-managers`");
        }
        var approvers = approverNodes.Select(g => g.Value).ToList();
        if (approvers.Count == 0)
        {
            nodes.Problem(keys.Get("approvers") ?? map, path + ".approvers", "no approver groups given",
                "name the groups whose members may approve, e.g. `approvers: [release-managers]`; tokens get groups with `onward tokens create --group`");
        }
        var expiry = nodes.Duration(keys.Get("expiry"), path + ".expiry") ?? ApprovalPolicy.DefaultExpiry;
        if (expiry <= TimeSpan.Zero)
        {
            nodes.Problem(keys.Get("expiry")!, path + ".expiry", "the expiry must be longer than zero", "write how long a request may wait, e.g. `expiry: 24h`");
        }
        if (authMode != AuthMode.Tokens)
        {
            nodes.Problem(map, path, "approvals need to know who approves, but `auth.mode` is `none`",
                "set `auth: { mode: tokens }` and create tokens with `onward tokens create --name NAME --role approver --group GROUP`");
        }
        return new ApprovalPolicy(
            required,
            approvers,
            nodes.Flag(keys.Get("allowSelfApproval"), path + ".allowSelfApproval") ?? false,
            nodes.Flag(keys.Get("includeAutoPromotions"), path + ".includeAutoPromotions") ?? false,
            expiry);
    }

    private List<FreezeWindow> ReadFreezeWindows(YamlNode node, string path)
    {
        var windows = new List<FreezeWindow>();
        if (node is not YamlSequence sequence)
        {
            nodes.Problem(node, path, "expected a list of windows", "write `freeze: [ { cron: \"0 18 * * FRI\", duration: 62h, timezone: Europe/Berlin } ]`");
            return windows;
        }
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (nodes.AsMapping(sequence.Items[i], itemPath) is not { } map)
            {
                continue;
            }
            var keys = nodes.Keys(map, itemPath, "cron", "duration", "timezone");
            var cron = nodes.Text(keys.Get("cron"), itemPath + ".cron");
            var duration = nodes.Duration(keys.Get("duration"), itemPath + ".duration");
            var zoneName = nodes.Text(keys.Get("timezone"), itemPath + ".timezone")?.Value ?? "UTC";
            if (cron is null)
            {
                nodes.Problem(map, itemPath + ".cron", "missing `cron`", "say when the window starts, e.g. `cron: \"0 18 * * FRI\"` (minute hour day month weekday)");
            }
            if (duration is null && keys.Get("duration") is null)
            {
                nodes.Problem(map, itemPath + ".duration", "missing `duration`", "say how long the window lasts, e.g. `duration: 62h`");
            }
            else if (duration is { } d && (d <= TimeSpan.Zero || d > TimeSpan.FromDays(366)))
            {
                nodes.Problem(keys.Get("duration")!, itemPath + ".duration", "a freeze window lasts longer than zero and at most a year", "write e.g. `duration: 62h`");
                duration = null;
            }
            CronExpression? expression = null;
            if (cron is not null)
            {
                try
                {
                    expression = CronExpression.Parse(cron.Value, CronFormat.Standard);
                }
                catch (CronFormatException e)
                {
                    nodes.Problem(cron, itemPath + ".cron", $"not a cron expression: {e.Message}",
                        "write five fields, minute hour day-of-month month day-of-week, e.g. \"0 18 * * FRI\" (Fridays at 18:00)");
                }
            }
            TimeZoneInfo? zone = null;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
            }
            catch (TimeZoneNotFoundException)
            {
                nodes.Problem(keys.Get("timezone")!, itemPath + ".timezone", $"unknown time zone '{zoneName}'", "use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`");
            }
            if (expression is not null && duration is { } length && zone is not null)
            {
                windows.Add(new FreezeWindow(cron!.Value, length, zoneName) { Expression = expression, Zone = zone });
            }
        }
        return windows;
    }
}
