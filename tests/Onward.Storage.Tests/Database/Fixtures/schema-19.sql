-- An Onward SQLite database at schema version 19 (migrations 1..19 as released), with a few rows in it;
-- made with sqlite3's dump. A newer Onward must open it, migrate it, and read every row back.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE approvals (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                deployment_id INTEGER NOT NULL REFERENCES deployments (id),
                by_name TEXT NOT NULL,
                decision TEXT NOT NULL,
                comment TEXT,
                at INTEGER NOT NULL,
                UNIQUE (deployment_id, by_name)
            );
CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                environment TEXT,
                message TEXT NOT NULL
            );
INSERT INTO audit_events VALUES(1,1764158404000,'alice','freeze','prod','froze prod until Monday: sale');
CREATE TABLE deployment_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                deployment_id INTEGER NOT NULL REFERENCES deployments (id),
                at INTEGER NOT NULL,
                state TEXT NOT NULL,
                actor TEXT NOT NULL,
                message TEXT NOT NULL
            );
INSERT INTO deployment_events VALUES(1,1,1764158402200,'Queued','onward','requested (auto)');
INSERT INTO deployment_events VALUES(2,1,1764158402400,'Applying','onward','applying 1a2b3c4 to dev');
INSERT INTO deployment_events VALUES(3,1,1764158402600,'Verifying','onward','started 1a2b3c4 as pid 4242 on port 41234');
INSERT INTO deployment_events VALUES(4,1,1764158402800,'Succeeded','onward','verified: GET http://127.0.0.1:41234/healthz answered 200 OK');
CREATE TABLE deployment_manifests (
                deployment_id INTEGER PRIMARY KEY REFERENCES deployments (id),
                content BLOB NOT NULL
            , masked_with TEXT);
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
            , restore_state TEXT, waiting TEXT, waiting_until INTEGER, started_at INTEGER);
INSERT INTO deployments VALUES(1,'shop','dev',1,'Succeeded','verified: GET http://127.0.0.1:41234/healthz answered 200 OK','onward','Auto',NULL,1764158402200,1764158403000,1764158403000,NULL,1764158522200,NULL,NULL,NULL,NULL,NULL);
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
CREATE TABLE environment_freezes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                environment TEXT NOT NULL,
                until_at INTEGER NOT NULL,
                reason TEXT NOT NULL,
                set_by TEXT NOT NULL,
                set_at INTEGER NOT NULL,
                lifted_at INTEGER,
                lifted_by TEXT
            , end_told INTEGER NOT NULL DEFAULT 0);
CREATE TABLE flag_change_decisions (
                request_id INTEGER NOT NULL REFERENCES flag_change_requests (id),
                decided_by TEXT NOT NULL,
                decision TEXT NOT NULL,
                comment TEXT,
                at INTEGER NOT NULL,
                PRIMARY KEY (request_id, decided_by)
            );
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
CREATE TABLE flag_conversions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                environment TEXT NOT NULL,
                event TEXT NOT NULL,
                targeting_key TEXT NOT NULL,
                value REAL,
                at INTEGER NOT NULL
            );
CREATE TABLE flag_exposures (
                environment TEXT NOT NULL,
                flag_key TEXT NOT NULL,
                targeting_key TEXT NOT NULL,
                variant TEXT NOT NULL,
                first_at INTEGER NOT NULL,
                PRIMARY KEY (environment, flag_key, targeting_key)
            );
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
CREATE TABLE freeze_window_states (
                environment TEXT PRIMARY KEY,
                frozen INTEGER NOT NULL,
                until_at INTEGER,
                changed_at INTEGER NOT NULL
            );
CREATE TABLE host_deployments (
                sink TEXT NOT NULL,
                deployment_id INTEGER NOT NULL,
                host_id TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (sink, deployment_id)
            );
CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                subject INTEGER NOT NULL,
                due_at INTEGER NOT NULL,
                lease_owner TEXT,
                lease_until INTEGER,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL
            , wake_requested INTEGER NOT NULL DEFAULT 0);
CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                owner TEXT NOT NULL,
                until_at INTEGER NOT NULL
            );
CREATE TABLE local_ports (
                service TEXT NOT NULL,
                environment TEXT NOT NULL,
                port INTEGER NOT NULL UNIQUE,
                PRIMARY KEY (service, environment)
            );
INSERT INTO local_ports VALUES('shop','dev',9101);
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
                build_finished_at INTEGER, image TEXT, digest TEXT, trace_parent TEXT,
                UNIQUE (service, version)
            );
INSERT INTO releases VALUES(1,'shop','1a2b3c4','1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d','main','Branch',0,'/srv/onward/.onward/artifacts/shop/1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d','Built',NULL,1764158400000,1764158400100,1764158402100,NULL,NULL,NULL);
INSERT INTO releases VALUES(2,'shop','1.4.0','9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5','1.4.0','Tag',1,NULL,'BuildFailed','the build command exited with code 2',1764158405000,1764158405100,1764158406100,NULL,NULL,NULL);
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
INSERT INTO schema_migrations VALUES(1,'releases, deployments, events, jobs, refs, ports',1764158400000);
INSERT INTO schema_migrations VALUES(2,'webhook deliveries',1764158400000);
INSERT INTO schema_migrations VALUES(3,'release images',1764158400000);
INSERT INTO schema_migrations VALUES(4,'restores after failures',1764158400000);
INSERT INTO schema_migrations VALUES(5,'wakes for running jobs',1764158400000);
INSERT INTO schema_migrations VALUES(6,'tokens, approvals, freezes, audit',1764158400000);
INSERT INTO schema_migrations VALUES(7,'token expiry',1764158400000);
INSERT INTO schema_migrations VALUES(8,'rendered manifests and drift',1764158400000);
INSERT INTO schema_migrations VALUES(9,'feature flags',1764158400000);
INSERT INTO schema_migrations VALUES(10,'experiments',1764158400000);
INSERT INTO schema_migrations VALUES(11,'sdk tokens',1764158400000);
INSERT INTO schema_migrations VALUES(12,'flag change approvals',1764158400000);
INSERT INTO schema_migrations VALUES(13,'leases among replicas',1764158400000);
INSERT INTO schema_migrations VALUES(14,'notifications outbox',1764158400000);
INSERT INTO schema_migrations VALUES(15,'deployment start times',1764158400000);
INSERT INTO schema_migrations VALUES(16,'release traces',1764158400000);
INSERT INTO schema_migrations VALUES(17,'deployments on git hosts, freeze windows told',1764158400000);
INSERT INTO schema_migrations VALUES(18,'secret values kept out',1764158400000);
INSERT INTO schema_migrations VALUES(19,'web sessions kept by the server',1764158400000);
CREATE TABLE source_reads (
                service TEXT PRIMARY KEY,
                read_at INTEGER NOT NULL
            );
CREATE TABLE source_refs (
                service TEXT NOT NULL,
                ref TEXT NOT NULL,
                commit_sha TEXT NOT NULL,
                PRIMARY KEY (service, ref)
            );
INSERT INTO source_refs VALUES('shop','Branch:main','1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d');
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
            , expires_at INTEGER, environment TEXT);
INSERT INTO tokens VALUES(1,'ci','Deployer','developers','0c1f5d0e2b7a4f7e9d1c3b5a79e8f6d4c2b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6',1764158400000,'bootstrap',NULL,NULL,NULL,NULL);
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
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('releases',2);
INSERT INTO sqlite_sequence VALUES('deployments',1);
INSERT INTO sqlite_sequence VALUES('deployment_events',4);
INSERT INTO sqlite_sequence VALUES('tokens',1);
INSERT INTO sqlite_sequence VALUES('audit_events',1);
CREATE INDEX ix_releases_service ON releases (service, id);
CREATE INDEX ix_deployments_pair ON deployments (service, environment, state);
CREATE INDEX ix_deployments_release ON deployments (release_id);
CREATE INDEX ix_deployment_events ON deployment_events (deployment_id, id);
CREATE INDEX ix_jobs_due ON jobs (due_at);
CREATE INDEX ix_tokens_name ON tokens (name);
CREATE INDEX ix_environment_freezes ON environment_freezes (environment, until_at);
CREATE UNIQUE INDEX ux_deployments_promotion ON deployments (release_id, environment) WHERE trigger_kind = 'Promotion';
CREATE INDEX ix_deployment_events_at ON deployment_events (at);
CREATE INDEX ix_flag_changes_key ON flag_changes (environment, flag_key, id);
CREATE INDEX ix_flag_conversions ON flag_conversions (environment, event, targeting_key, at);
CREATE INDEX ix_flag_change_requests ON flag_change_requests (environment, state, id);
CREATE INDEX ix_notification_events_fanned_out ON notification_events (fanned_out, id);
CREATE INDEX ix_notification_deliveries_due ON notification_deliveries (state, next_at);
CREATE INDEX ix_notification_deliveries_sink ON notification_deliveries (sink, state, id);
CREATE INDEX ix_notification_events_deployment ON notification_events (deployment_id);
CREATE INDEX ix_ui_sessions_token ON ui_sessions (token_id, id);
INSERT INTO source_reads VALUES('shop',1764158400000);
COMMIT;
