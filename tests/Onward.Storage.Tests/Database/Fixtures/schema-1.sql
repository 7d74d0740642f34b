-- An Onward SQLite database at schema version 1 (migrations 1..1 as released), with a few rows in it;
-- made with sqlite3's dump. A newer Onward must open it, migrate it, and read every row back.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
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
INSERT INTO deployments VALUES(1,'shop','dev',1,'Succeeded','verified: GET http://127.0.0.1:41234/healthz answered 200 OK','onward','Auto',NULL,1764158402200,1764158403000,1764158403000,NULL,1764158522200,NULL);
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
CREATE TABLE local_ports (
                service TEXT NOT NULL,
                environment TEXT NOT NULL,
                port INTEGER NOT NULL UNIQUE,
                PRIMARY KEY (service, environment)
            );
INSERT INTO local_ports VALUES('shop','dev',9101);
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
INSERT INTO releases VALUES(1,'shop','1a2b3c4','1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d','main','Branch',0,'/srv/onward/.onward/artifacts/shop/1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d','Built',NULL,1764158400000,1764158400100,1764158402100);
INSERT INTO releases VALUES(2,'shop','1.4.0','9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5','1.4.0','Tag',1,NULL,'BuildFailed','the build command exited with code 2',1764158405000,1764158405100,1764158406100);
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
INSERT INTO schema_migrations VALUES(1,'releases, deployments, events, jobs, refs, ports',1764158400000);
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
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('releases',2);
INSERT INTO sqlite_sequence VALUES('deployments',1);
INSERT INTO sqlite_sequence VALUES('deployment_events',4);
CREATE INDEX ix_releases_service ON releases (service, id);
CREATE INDEX ix_deployments_pair ON deployments (service, environment, state);
CREATE INDEX ix_deployments_release ON deployments (release_id);
CREATE INDEX ix_deployment_events ON deployment_events (deployment_id, id);
CREATE INDEX ix_jobs_due ON jobs (due_at);
INSERT INTO source_reads VALUES('shop',1764158400000);
COMMIT;
