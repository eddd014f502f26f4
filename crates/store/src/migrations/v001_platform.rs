//! Version 1: the platform — organization, users, sign-in, audit, idempotency.

use crate::schema::{Change, index, table, unique};

pub(super) fn changes() -> Vec<Change> {
    vec![
        table("setting").text("key").text("value").timestamp("updated_at").create(),
        unique("ux_setting_key", "setting", &["key"]),
        // Organization
        table("region").text("code").text("name").boolean("active").versioned().create(),
        unique("ux_region_code", "region", &["code"]),
        table("dealer_group").text("code").text("name").boolean("active").versioned().create(),
        unique("ux_dealer_group_code", "dealer_group", &["code"]),
        table("dealer")
            .text("code")
            .text("name")
            .text("level")
            .fk("region_id", "region", false)
            .fk("group_id", "dealer_group", true)
            .text("province")
            .text("city")
            .text_null("address")
            .text_null("phone")
            .boolean("active")
            .versioned()
            .create(),
        unique("ux_dealer_code", "dealer", &["code"]),
        index("ix_dealer_region", "dealer", &["region_id"]),
        index("ix_dealer_group", "dealer", &["group_id"]),
        table("department")
            .fk("dealer_id", "dealer", true)
            .text("kind")
            .text("name")
            .boolean("active")
            .versioned()
            .create(),
        index("ix_department_dealer", "department", &["dealer_id"]),
        // People
        table("app_user")
            .text("username")
            .text("display_name")
            .text("role")
            .fk("dealer_id", "dealer", true)
            .fk("group_id", "dealer_group", true)
            .fk("region_id", "region", true)
            .fk("department_id", "department", true)
            .text_null("phone")
            .text_null("email")
            .text("password_hash")
            .boolean("active")
            .text("locale")
            .timestamp_null("last_login_at")
            .versioned()
            .create(),
        unique("ux_app_user_username", "app_user", &["username"]),
        index("ix_app_user_dealer", "app_user", &["dealer_id"]),
        // Sign-in
        table("session")
            .text("token_hash")
            .fk("user_id", "app_user", false)
            .text("csrf_token")
            .timestamp("created_at")
            .timestamp("expires_at")
            .create(),
        unique("ux_session_token", "session", &["token_hash"]),
        table("api_token")
            .text("token_hash")
            .text("prefix")
            .fk("user_id", "app_user", false)
            .text("name")
            .text("kind")
            .bigint_null("created_by")
            .timestamp("created_at")
            .timestamp_null("expires_at")
            .timestamp_null("revoked_at")
            .timestamp_null("last_used_at")
            .create(),
        unique("ux_api_token_hash", "api_token", &["token_hash"]),
        table("login_throttle").text("key").bigint("failures").timestamp("window_start").timestamp_null("locked_until").create(),
        unique("ux_login_throttle_key", "login_throttle", &["key"]),
        // Audit trail: append-only, enforced by the database itself.
        table("audit_event")
            .timestamp("at")
            .bigint_null("actor_id")
            .text("actor_name")
            .text("action")
            .text("entity")
            .bigint_null("entity_id")
            .bigint_null("dealer_id")
            .text_null("summary")
            .text_null("before_json")
            .text_null("after_json")
            .create(),
        index("ix_audit_event_at", "audit_event", &["at"]),
        index("ix_audit_event_entity", "audit_event", &["entity", "entity_id"]),
        index("ix_audit_event_dealer", "audit_event", &["dealer_id"]),
        Change::Raw {
            sqlite: "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END; \
                     CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
            postgres: "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                       BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$; \
                       CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event \
                       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();",
        },
        // Idempotent POSTs: the first response to a key is replayed for retries.
        table("idempotency_key")
            .text("key")
            .bigint("actor_id")
            .text("method_path")
            .text("request_hash")
            .bigint_null("status")
            .text_null("response_body")
            .timestamp("created_at")
            .create(),
        unique("ux_idempotency_key", "idempotency_key", &["actor_id", "key"]),
    ]
}
