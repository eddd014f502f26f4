//! Version 2: Customer 360 — customers and their contact points, consents, dealer
//! links and relationships; vehicles, models, ownership periods and odometer
//! readings; one timeline; identity resolution (review queue, reversible merges);
//! search keys; import jobs.

use crate::schema::{Change, index, table, unique};

pub(super) fn changes() -> Vec<Change> {
    vec![
        // The golden record. Persons and organizations share one table; the kind
        // decides which identifiers apply (ID number for persons, USCC for organizations).
        table("customer")
            .text("customer_no")
            .text("kind")
            .text("name")
            .text("name_pinyin")
            .text("name_initials")
            .text_null("gender")
            .date_null("birthday")
            .text_null("occupation")
            .text_null("id_number")
            .text_null("uscc")
            .text_null("mobile")
            .text_null("email")
            .text_null("province")
            .text_null("city")
            .text_null("district")
            .text_null("address")
            .text_null("tags")
            .text("status")
            .bigint_null("merged_into")
            .fk("origin_dealer_id", "dealer", true)
            .versioned()
            .create(),
        unique("ux_customer_no", "customer", &["customer_no"]),
        index("ix_customer_id_number", "customer", &["id_number"]),
        index("ix_customer_uscc", "customer", &["uscc"]),
        index("ix_customer_name", "customer", &["name"]),
        // Every way to reach the customer, normalized; several per kind, one primary.
        table("contact_point")
            .fk("customer_id", "customer", false)
            .text("kind")
            .text("value")
            .text_null("tail4")
            .text_null("label")
            .boolean("is_primary")
            .boolean("verified")
            .text_null("province")
            .text_null("city")
            .text_null("district")
            .timestamp("created_at")
            .create(),
        index("ix_contact_point_value", "contact_point", &["kind", "value"]),
        index("ix_contact_point_customer", "contact_point", &["customer_id"]),
        index("ix_contact_point_tail4", "contact_point", &["tail4"]),
        // Consent history per channel and purpose; the latest row is in force.
        table("consent")
            .fk("customer_id", "customer", false)
            .text("channel")
            .text("purpose")
            .boolean("granted")
            .text("source")
            .text_null("text_version")
            .timestamp("at")
            .bigint_null("actor_id")
            .create(),
        index("ix_consent_customer", "consent", &["customer_id", "channel"]),
        // Which dealers know the customer, how, since when, and who owns the
        // relationship there: this drives dealer-scoped visibility.
        table("customer_dealer")
            .fk("customer_id", "customer", false)
            .fk("dealer_id", "dealer", false)
            .text("kind")
            .bigint_null("owner_user_id")
            .timestamp("since")
            .create(),
        unique("ux_customer_dealer", "customer_dealer", &["customer_id", "dealer_id", "kind"]),
        index("ix_customer_dealer_dealer", "customer_dealer", &["dealer_id"]),
        index("ix_customer_dealer_owner", "customer_dealer", &["owner_user_id"]),
        table("relationship")
            .fk("customer_id", "customer", false)
            .fk("related_id", "customer", false)
            .text("kind")
            .date_null("since")
            .timestamp("created_at")
            .create(),
        index("ix_relationship_customer", "relationship", &["customer_id"]),
        index("ix_relationship_related", "relationship", &["related_id"]),
        // A minimal catalog of models; the catalog capability extends it.
        table("vehicle_model")
            .text("code")
            .text("brand")
            .text("series")
            .text("model")
            .text_null("trim")
            .bigint_null("first_service_km")
            .bigint_null("service_interval_km")
            .boolean("active")
            .versioned()
            .create(),
        unique("ux_vehicle_model_code", "vehicle_model", &["code"]),
        // The physical vehicle. `vin_rev` (the VIN reversed) makes "last 6/8
        // characters" a prefix search an index can answer on both engines.
        table("vehicle")
            .text("vin")
            .text("vin_rev")
            .boolean("vin_check_ok")
            .text_null("engine_no")
            .text_null("production_no")
            .fk("model_id", "vehicle_model", true)
            .text_null("color")
            .text_null("plate")
            .text("status")
            .date_null("sale_date")
            .date_null("warranty_end")
            .bigint_null("mileage_km")
            .fk("dealer_id", "dealer", true)
            .versioned()
            .create(),
        unique("ux_vehicle_vin", "vehicle", &["vin"]),
        index("ix_vehicle_vin_rev", "vehicle", &["vin_rev"]),
        index("ix_vehicle_plate", "vehicle", &["plate"]),
        index("ix_vehicle_dealer", "vehicle", &["dealer_id"]),
        // Who owned (or drove) the vehicle when; the open period is the current one.
        table("ownership")
            .fk("vehicle_id", "vehicle", false)
            .fk("customer_id", "customer", false)
            .text("role")
            .date_null("from_date")
            .date_null("to_date")
            .timestamp("created_at")
            .create(),
        index("ix_ownership_vehicle", "ownership", &["vehicle_id"]),
        index("ix_ownership_customer", "ownership", &["customer_id"]),
        table("odometer_reading")
            .fk("vehicle_id", "vehicle", false)
            .bigint("km")
            .timestamp("read_at")
            .text("source")
            .create(),
        index("ix_odometer_vehicle", "odometer_reading", &["vehicle_id", "read_at"]),
        // One timeline of everything that happens with a customer; every capability
        // writes to it. Commitments carry a due date and are closed when kept.
        table("timeline_event")
            .fk("customer_id", "customer", false)
            .timestamp("at")
            .text("kind")
            .text("title")
            .text_null("body")
            .bigint_null("actor_id")
            .text("actor_name")
            .bigint_null("dealer_id")
            .text_null("ref_entity")
            .bigint_null("ref_id")
            .date_null("due_date")
            .timestamp_null("done_at")
            .create(),
        index("ix_timeline_customer", "timeline_event", &["customer_id", "at"]),
        // Identity resolution: pairs with weak evidence wait here for a person.
        table("identity_review")
            .fk("customer_a", "customer", false)
            .fk("customer_b", "customer", false)
            .bigint("score")
            .text("reasons")
            .text("status")
            .timestamp("created_at")
            .bigint_null("decided_by")
            .timestamp_null("decided_at")
            .create(),
        unique("ux_identity_review_pair", "identity_review", &["customer_a", "customer_b"]),
        index("ix_identity_review_status", "identity_review", &["status", "score"]),
        // A merge and everything it moved, so it can be undone exactly.
        table("customer_merge")
            .fk("survivor_id", "customer", false)
            .fk("merged_id", "customer", false)
            .timestamp("at")
            .bigint_null("actor_id")
            .text("snapshot")
            .timestamp_null("undone_at")
            .bigint_null("undone_by")
            .create(),
        index("ix_customer_merge_survivor", "customer_merge", &["survivor_id"]),
        // Search keys for names: suffixes (partial Chinese names), pinyin initials and
        // full pinyin, organization names; a prefix range on `key` answers a search.
        table("search_key").fk("customer_id", "customer", false).text("key").create(),
        index("ix_search_key_key", "search_key", &["key"]),
        index("ix_search_key_customer", "search_key", &["customer_id"]),
        table("import_job")
            .text("kind")
            .text("filename")
            .text("file_hash")
            .text("status")
            .bigint("total_rows")
            .bigint("valid_rows")
            .bigint("invalid_rows")
            .bigint("created_count")
            .bigint("linked_count")
            .text_null("mapping")
            .text_null("report")
            .bigint_null("actor_id")
            .bigint_null("dealer_id")
            .timestamp("created_at")
            .timestamp_null("finished_at")
            .create(),
        index("ix_import_job_created", "import_job", &["created_at"]),
    ]
}
