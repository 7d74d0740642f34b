using Prometheus;

namespace Onward.Server.Insight;

/// <summary>
/// What Onward measures as it works, served at <c>/metrics</c> in the Prometheus text format. Each replica counts what
/// it did itself (sum them across replicas); the totals read from the database at each scrape
/// (<c>onward_deployments_total</c>, the queue) are the same on every replica (take the max).
/// </summary>
public static class OnwardMetrics
{
    private static readonly double[] StepSeconds = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];
    private static readonly double[] LeadSeconds = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400, 259200, 604800];

    public static readonly Counter Deployments = Metrics.CreateCounter("onward_deployments_total",
        "Deployments that ended, by service, environment, trigger and outcome (from the database: the same on every replica)",
        "service", "environment", "trigger", "outcome");

    public static readonly Histogram DeploymentSeconds = Metrics.CreateHistogram("onward_deployment_duration_seconds",
        "From a deployment starting to apply to its end (verified or failed)",
        new HistogramConfiguration { LabelNames = ["service", "environment", "outcome"], Buckets = StepSeconds });

    public static readonly Histogram BuildSeconds = Metrics.CreateHistogram("onward_build_duration_seconds",
        "From a build starting to its end", new HistogramConfiguration { LabelNames = ["service", "outcome"], Buckets = StepSeconds });

    public static readonly Histogram CommitToVerifiedSeconds = Metrics.CreateHistogram("onward_commit_to_verified_seconds",
        "From a release's commit to its verification in an environment",
        new HistogramConfiguration { LabelNames = ["service", "environment"], Buckets = LeadSeconds });

    public static readonly Gauge Jobs = Metrics.CreateGauge("onward_jobs",
        "Jobs in the queue by kind and state: due (waiting for a worker), leased (running) or later (due in the future)", "kind", "state");

    public static readonly Gauge OldestDueSeconds = Metrics.CreateGauge("onward_job_oldest_due_seconds",
        "How long the oldest job due and not yet finished has been due, by kind: the queue's delay", "kind");

    public static readonly Gauge LeaseExpiresSeconds = Metrics.CreateGauge("onward_lease_expires_in_seconds",
        "Seconds until each replica lease (the local target, a cluster, a repository's polling) runs out unless renewed; below zero: held by nobody",
        "lease", "owner");

    public static readonly Counter WebhookDeliveries = Metrics.CreateCounter("onward_webhook_deliveries_total",
        "Signed webhook deliveries received, by provider and action (build, ignore, or duplicate for a redelivery)", "provider", "action");

    public static readonly Counter NotificationAttempts = Metrics.CreateCounter("onward_notification_attempts_total",
        "Attempts to send a notification, by sink and outcome (sent, retry, failed)", "sink", "outcome");

    public static readonly Counter FlagEvaluations = Metrics.CreateCounter("onward_flag_evaluations_total",
        "Flags evaluated over OFREP, by environment", "environment");
}
