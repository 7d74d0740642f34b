namespace Onward.Storage.Database;

/// <summary>
/// The schema, as numbered steps. Never edit a released step: add the next one. Times are Unix milliseconds and enums
/// are their names, so that the same statements serve PostgreSQL.
/// </summary>
public static class Migrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "releases, deployments, events, jobs, refs, ports", """
            CREATE TABLE releases (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                service TEXT NOT NULL,
                version TEXT NOT NULL,
                commit_sha TEXT NOT NULL,
                ref TEXT NOT NULL,
                ref_kind TEXT NOT NULL,
                release_candidate INTEGER NOT NULL,
                artifact TEXT,
                state TEXT NOT NULL,
                failure TEXT,
                created_at INTEGER NOT NULL,
                build_started_at INTEGER,
                build_finished_at INTEGER,
                UNIQUE (service, version)
            );
            CREATE INDEX ix_releases_service ON releases (service, id);
            CREATE TABLE deployments (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                service TEXT NOT NULL,
                environment TEXT NOT NULL,
                release_id INTEGER NOT NULL REFERENCES releases (id),
                state TEXT NOT NULL,
                reason TEXT,
                requested_by TEXT NOT NULL,
                trigger_kind TEXT NOT NULL,
                override_reason TEXT,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                succeeded_at INTEGER,
                previous_deployment_id INTEGER,
                verify_deadline INTEGER,
                diagnosis TEXT
            );
            CREATE INDEX ix_deployments_pair ON deployments (service, environment, state);
            CREATE INDEX ix_deployments_release ON deployments (release_id);
            CREATE TABLE deployment_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                deployment_id INTEGER NOT NULL REFERENCES deployments (id),
                at INTEGER NOT NULL,
                state TEXT NOT NULL,
                actor TEXT NOT NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX ix_deployment_events ON deployment_events (deployment_id, id);
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                subject INTEGER NOT NULL,
                due_at INTEGER NOT NULL,
                lease_owner TEXT,
                lease_until INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX ix_jobs_due ON jobs (due_at);
            CREATE TABLE source_refs (
                service TEXT NOT NULL,
                ref TEXT NOT NULL,
                commit_sha TEXT NOT NULL,
                PRIMARY KEY (service, ref)
            );
            CREATE TABLE source_reads (
                service TEXT PRIMARY KEY,
                read_at INTEGER NOT NULL
            );
            CREATE TABLE local_ports (
                service TEXT NOT NULL,
                environment TEXT NOT NULL,
                port INTEGER NOT NULL UNIQUE,
                PRIMARY KEY (service, environment)
            );
            """),
        new(2, "webhook deliveries", """
            CREATE TABLE webhook_deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                provider TEXT NOT NULL,
                event TEXT NOT NULL,
                delivery_id TEXT NOT NULL,
                received_at INTEGER NOT NULL,
                repository TEXT,
                ref TEXT,
                ref_kind TEXT,
                name TEXT,
                commit_sha TEXT,
                forced INTEGER,
                action TEXT NOT NULL,
                reason TEXT NOT NULL,
                release_id INTEGER,
                push TEXT,
                UNIQUE (provider, delivery_id)
            );
            """),
        new(3, "release images", """
            ALTER TABLE releases ADD COLUMN image TEXT;
            ALTER TABLE releases ADD COLUMN digest TEXT;
            """),
        new(4, "restores after failures", """
            ALTER TABLE deployments ADD COLUMN restore_state TEXT;
            """),
        new(5, "wakes for running jobs", """
            ALTER TABLE jobs ADD COLUMN wake_requested INTEGER NOT NULL DEFAULT 0;
            """),
        new(6, "tokens, approvals, freezes, audit", """
            CREATE TABLE tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                groups_list TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                revoked_at INTEGER,
                revoked_by TEXT
            );
            CREATE INDEX ix_tokens_name ON tokens (name);
            CREATE TABLE approvals (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                deployment_id INTEGER NOT NULL REFERENCES deployments (id),
                by_name TEXT NOT NULL,
                decision TEXT NOT NULL,
                comment TEXT,
                at INTEGER NOT NULL,
                UNIQUE (deployment_id, by_name)
            );
            CREATE TABLE environment_freezes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                environment TEXT NOT NULL,
                until_at INTEGER NOT NULL,
                reason TEXT NOT NULL,
                set_by TEXT NOT NULL,
                set_at INTEGER NOT NULL,
                lifted_at INTEGER,
                lifted_by TEXT
            );
            CREATE INDEX ix_environment_freezes ON environment_freezes (environment, until_at);
            CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                environment TEXT,
                message TEXT NOT NULL
            );
            ALTER TABLE deployments ADD COLUMN waiting TEXT;
            ALTER TABLE deployments ADD COLUMN waiting_until INTEGER;
            CREATE UNIQUE INDEX ux_deployments_promotion ON deployments (release_id, environment) WHERE trigger_kind = 'Promotion';
            CREATE INDEX ix_deployment_events_at ON deployment_events (at);
            """),
        new(7, "token expiry", """
            ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
            """),
        new(8, "rendered manifests and drift", """
            CREATE TABLE deployment_manifests (
                deployment_id INTEGER PRIMARY KEY REFERENCES deployments (id),
                content BLOB NOT NULL
            );
            CREATE TABLE environment_drift (
                service TEXT NOT NULL,
                environment TEXT NOT NULL,
                deployment_id INTEGER NOT NULL,
                since_at INTEGER NOT NULL,
                checked_at INTEGER NOT NULL,
                difference_count INTEGER NOT NULL,
                differences TEXT NOT NULL,
                PRIMARY KEY (service, environment)
            );
            """),
        new(9, "feature flags", """
            CREATE TABLE flag_sets (
                environment TEXT NOT NULL,
                owner TEXT NOT NULL,
                document TEXT NOT NULL,
                deployment_id INTEGER,
                version TEXT,
                actor TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (environment, owner)
            );
            CREATE TABLE flag_switches (
                environment TEXT NOT NULL,
                flag_key TEXT NOT NULL,
                enabled INTEGER,
                default_variant TEXT,
                targeting TEXT,
                actor TEXT NOT NULL,
                comment TEXT NOT NULL,
                at INTEGER NOT NULL,
                PRIMARY KEY (environment, flag_key)
            );
            CREATE TABLE flag_changes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                environment TEXT NOT NULL,
                flag_key TEXT NOT NULL,
                actor TEXT NOT NULL,
                at INTEGER NOT NULL,
                comment TEXT,
                source TEXT NOT NULL,
                before_json TEXT,
                after_json TEXT,
                deployment_id INTEGER
            );
            CREATE INDEX ix_flag_changes_key ON flag_changes (environment, flag_key, id);
            """),
        new(10, "experiments", """
            CREATE TABLE flag_exposures (
                environment TEXT NOT NULL,
                flag_key TEXT NOT NULL,
                targeting_key TEXT NOT NULL,
                variant TEXT NOT NULL,
                first_at INTEGER NOT NULL,
                PRIMARY KEY (environment, flag_key, targeting_key)
            );
            CREATE TABLE flag_conversions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                environment TEXT NOT NULL,
                event TEXT NOT NULL,
                targeting_key TEXT NOT NULL,
                value REAL,
                at INTEGER NOT NULL
            );
            CREATE INDEX ix_flag_conversions ON flag_conversions (environment, event, targeting_key, at);
            """),
        new(11, "sdk tokens", """
            ALTER TABLE tokens ADD COLUMN environment TEXT;
            """),
        new(12, "flag change approvals", """
            CREATE TABLE flag_change_requests (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                environment TEXT NOT NULL,
                kind TEXT NOT NULL,
                flag_key TEXT,
                payload TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                comment TEXT NOT NULL,
                state TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                outcome TEXT
            );
            CREATE INDEX ix_flag_change_requests ON flag_change_requests (environment, state, id);
            CREATE TABLE flag_change_decisions (
                request_id INTEGER NOT NULL REFERENCES flag_change_requests (id),
                decided_by TEXT NOT NULL,
                decision TEXT NOT NULL,
                comment TEXT,
                at INTEGER NOT NULL,
                PRIMARY KEY (request_id, decided_by)
            );
            """),
        new(13, "leases among replicas", """
            CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                until_at INTEGER NOT NULL
            );
            """),
        new(14, "notifications outbox", """
            CREATE TABLE notification_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                service TEXT,
                environment TEXT,
                version TEXT,
                commit_sha TEXT,
                deployment_id INTEGER,
                release_id INTEGER,
                actor TEXT NOT NULL,
                message TEXT NOT NULL,
                at INTEGER NOT NULL,
                fanned_out INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX ix_notification_events_fanned_out ON notification_events (fanned_out, id);
            CREATE TABLE notification_deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id INTEGER NOT NULL REFERENCES notification_events (id),
                sink TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                next_at INTEGER NOT NULL,
                lease_owner TEXT,
                lease_until INTEGER,
                sent_at INTEGER,
                last_status INTEGER,
                last_error TEXT,
                UNIQUE (event_id, sink)
            );
            CREATE INDEX ix_notification_deliveries_due ON notification_deliveries (state, next_at);
            """),
        new(15, "deployment start times", """
            ALTER TABLE deployments ADD COLUMN started_at INTEGER;
            UPDATE deployments SET started_at = (
                SELECT MIN(e.at) FROM deployment_events e WHERE e.deployment_id = deployments.id AND e.state = 'Applying');
            """),
        new(16, "release traces", """
            ALTER TABLE releases ADD COLUMN trace_parent TEXT;
            """),
        new(17, "deployments on git hosts, freeze windows told", """
            CREATE TABLE host_deployments (
                sink TEXT NOT NULL,
                deployment_id INTEGER NOT NULL,
                host_id TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (sink, deployment_id)
            );
            CREATE INDEX ix_notification_deliveries_sink ON notification_deliveries (sink, state, id);
            CREATE INDEX ix_notification_events_deployment ON notification_events (deployment_id);
            CREATE TABLE freeze_window_states (
                environment TEXT PRIMARY KEY,
                frozen INTEGER NOT NULL,
                until_at INTEGER,
                changed_at INTEGER NOT NULL
            );
            ALTER TABLE environment_freezes ADD COLUMN end_told INTEGER NOT NULL DEFAULT 0;
            UPDATE environment_freezes SET end_told = 1;
            """),
        // Secret values were kept in the clear before: manifests kept are masked at start-up (ManifestScrub, which
        // needs the configuration's kinds), drift is found again within a minute, and drift events naming a Secret lose
        // their text, since it may quote a value.
        new(18, "secret values kept out", """
            ALTER TABLE deployment_manifests ADD COLUMN masked_with TEXT;
            DELETE FROM environment_drift;
            UPDATE deployment_events SET message = 'drift: differences found before secret values were masked (not shown; the service''s drift says what differs now)'
                WHERE message LIKE 'drift:%Secret/%';
            """),
        new(19, "web sessions kept by the server", """
            CREATE TABLE ui_sessions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                secret_hash TEXT NOT NULL UNIQUE,
                token_id INTEGER NOT NULL REFERENCES tokens (id),
                name TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                ended_at INTEGER,
                ended_reason TEXT,
                address TEXT,
                user_agent TEXT
            );
            CREATE INDEX ix_ui_sessions_token ON ui_sessions (token_id, id);
            """),
        // What the last look at a service's repository found wrong (a main branch that is not there, a fetch that
        // failed), kept so that every replica shows it, whichever one looked.
        new(20, "warnings of a repository", """
            CREATE TABLE source_warnings (
                service TEXT PRIMARY KEY,
                warnings TEXT NOT NULL,
                changed_at INTEGER NOT NULL
            );
            """),
        // What a verification last heard (a health URL's answer, a rollout's condition), shown while it waits.
        new(21, "verification progress", """
            ALTER TABLE deployments ADD COLUMN progress TEXT;
            """),
        // The Helm chart a release renders, fixed by its first deployment: where from, name, version and digest.
        new(22, "the chart a release is pinned to", """
            ALTER TABLE releases ADD COLUMN chart_location TEXT;
            ALTER TABLE releases ADD COLUMN chart_name TEXT;
            ALTER TABLE releases ADD COLUMN chart_version TEXT;
            ALTER TABLE releases ADD COLUMN chart_digest TEXT;
            """),
        // People who sign in with an OpenID provider are kept as tokens no secret opens: issuer#sub tells them apart.
        new(23, "people who sign in with an OpenID provider", """
            ALTER TABLE tokens ADD COLUMN subject TEXT;
            ALTER TABLE tokens ADD COLUMN email TEXT;
            ALTER TABLE tokens ADD COLUMN last_signed_in_at INTEGER;
            ALTER TABLE tokens ADD COLUMN teams TEXT;
            CREATE UNIQUE INDEX ux_tokens_subject ON tokens (subject) WHERE subject IS NOT NULL;
            """),
        // The keys that protect forms and sign-in cookies, shared by every replica.
        new(24, "data-protection keys in the database", """
            CREATE TABLE protection_keys (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                xml TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            """),
        // Canary releases: where each stands (so that a server killed mid-canary resumes there) and every judgement.
        new(25, "canaries and their analyses", """
            CREATE TABLE canaries (
                deployment_id INTEGER PRIMARY KEY,
                step INTEGER NOT NULL,
                weight INTEGER NOT NULL,
                step_started_at INTEGER NOT NULL,
                passed_in_step INTEGER NOT NULL,
                failures INTEGER NOT NULL,
                next_analysis_at INTEGER NOT NULL,
                requests_mark INTEGER NOT NULL,
                asked TEXT,
                asked_by TEXT,
                approvals TEXT NOT NULL,
                flags TEXT
            );
            CREATE TABLE canary_analyses (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                deployment_id INTEGER NOT NULL,
                at INTEGER NOT NULL,
                step INTEGER NOT NULL,
                metric TEXT NOT NULL,
                value REAL,
                baseline REAL,
                verdict TEXT NOT NULL,
                detail TEXT
            );
            CREATE INDEX ix_canary_analyses ON canary_analyses (deployment_id, id);
            """),
        // Pull requests' previews: one row per pull request, kept after it is destroyed (a push brings it back);
        // a release built for a preview is marked, so that continuous delivery leaves it out; a destroyed preview's
        // deployments are retired, so that none of them is current any more.
        new(26, "previews", """
            CREATE TABLE previews (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                service TEXT NOT NULL,
                number INTEGER NOT NULL,
                branch TEXT NOT NULL,
                commit_sha TEXT NOT NULL,
                head_ref TEXT,
                link TEXT,
                state TEXT NOT NULL,
                port INTEGER,
                url TEXT,
                failure TEXT,
                release_id INTEGER,
                deployment_id INTEGER,
                comment_id TEXT,
                said TEXT,
                ending TEXT,
                created_at INTEGER NOT NULL,
                pushed_at INTEGER NOT NULL,
                destroyed_at INTEGER,
                comeback INTEGER NOT NULL DEFAULT 0,
                UNIQUE (service, number)
            );
            ALTER TABLE releases ADD COLUMN preview INTEGER;
            ALTER TABLE deployments ADD COLUMN retired_at INTEGER;
            """),
    ];
}
