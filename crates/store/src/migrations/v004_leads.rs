//! Version 4: prospects and the sales funnel — leads and their activities, demo
//! cars and test drives, the price list and quotes, the daily distribution (job
//! runs), notifications, handovers, showroom traffic, consultants on duty.

use crate::schema::{Change, Column, Kind, index, table, unique};

pub(super) fn changes() -> Vec<Change> {
    vec![
        // A prospect's interest in buying, attached to the golden customer record.
        // Milestone timestamps (contacted_at … delivered_at) make funnel counts one
        // pass over this table; the lead's activities hold the detail.
        table("lead")
            .text("lead_no")
            .fk("customer_id", "customer", false)
            .fk("dealer_id", "dealer", true)
            .bigint_null("owner_user_id")
            .text("source")
            .text_null("event")
            .fk("model_id", "vehicle_model", true)
            .text("timeframe")
            .text("grade")
            .text("stage")
            .bigint_null("budget_yuan")
            .boolean("trade_in")
            .text_null("trade_in_model")
            .text_null("competitors")
            .bigint_null("preferred_dealer_id")
            .fk("referrer_id", "customer", true)
            .text_null("dealer_rule")
            .text_null("consultant_rule")
            .timestamp_null("assigned_at")
            .timestamp_null("next_follow_up_at")
            .timestamp_null("last_activity_at")
            .timestamp_null("contacted_at")
            .timestamp_null("visited_at")
            .timestamp_null("test_drive_at")
            .timestamp_null("quoted_at")
            .timestamp_null("ordered_at")
            .timestamp_null("delivered_at")
            .timestamp_null("closed_at")
            .text_null("close_request")
            .bigint_null("close_requested_by")
            .text_null("lost_category")
            .text_null("close_reason")
            .text_null("competitor")
            .bigint_null("close_approved_by")
            .timestamp_null("distributed_at")
            .timestamp_null("feedback_due_at")
            .text_null("feedback")
            .text_null("feedback_note")
            .timestamp_null("feedback_at")
            .text_null("submission_key")
            .text_null("note")
            .versioned()
            .create(),
        unique("ux_lead_no", "lead", &["lead_no"]),
        unique("ux_lead_submission", "lead", &["submission_key"]),
        index("ix_lead_customer", "lead", &["customer_id"]),
        index("ix_lead_dealer_stage", "lead", &["dealer_id", "stage"]),
        index("ix_lead_owner_follow_up", "lead", &["owner_user_id", "next_follow_up_at"]),
        index("ix_lead_created", "lead", &["created_at"]),
        index("ix_lead_distributed", "lead", &["dealer_id", "distributed_at"]),
        index("ix_lead_referrer", "lead", &["referrer_id"]),
        // Everything done on a lead: calls, visits, messages, stage moves, feedback.
        table("lead_activity")
            .fk("lead_id", "lead", false)
            .fk("customer_id", "customer", false)
            .bigint_null("dealer_id")
            .bigint_null("user_id")
            .text("user_name")
            .text("kind")
            .text_null("outcome")
            .text_null("note")
            .timestamp("at")
            .timestamp_null("next_follow_up_at")
            .create(),
        index("ix_lead_activity_lead", "lead_activity", &["lead_id", "at"]),
        // The dealer's demo fleet and the bookings on it (capability `test_drives`).
        table("demo_car")
            .fk("dealer_id", "dealer", false)
            .fk("model_id", "vehicle_model", false)
            .text("plate")
            .text_null("vin")
            .text_null("color")
            .boolean("active")
            .text_null("note")
            .versioned()
            .create(),
        index("ix_demo_car_dealer", "demo_car", &["dealer_id"]),
        unique("ux_demo_car_plate", "demo_car", &["plate"]),
        table("test_drive")
            .fk("lead_id", "lead", true)
            .fk("customer_id", "customer", false)
            .fk("dealer_id", "dealer", false)
            .fk("demo_car_id", "demo_car", false)
            .fk("consultant_id", "app_user", false)
            .timestamp("starts_at")
            .timestamp("ends_at")
            .text("status")
            .text_null("feedback")
            .bigint_null("rating")
            .text_null("route")
            .text_null("cancel_reason")
            .timestamp_null("ended_at")
            .bigint_null("booked_by")
            .versioned()
            .create(),
        index("ix_test_drive_car", "test_drive", &["demo_car_id", "starts_at"]),
        index("ix_test_drive_consultant", "test_drive", &["consultant_id", "starts_at"]),
        index("ix_test_drive_dealer", "test_drive", &["dealer_id", "starts_at"]),
        index("ix_test_drive_lead", "test_drive", &["lead_id"]),
        // A minimal price list (fen) per catalog model (capability `quotes`); the
        // catalog capability extends it.
        table("model_price")
            .fk("model_id", "vehicle_model", false)
            .bigint("list_price")
            .date_null("valid_from")
            .date_null("valid_to")
            .text_null("note")
            .versioned()
            .create(),
        index("ix_model_price_model", "model_price", &["model_id"]),
        // A quote is written once and never changed: what was promised stays as it
        // was. The conflict columns record a colleague's different recent quote to
        // the same customer that the consultant was warned about.
        table("quote")
            .text("quote_no")
            .fk("lead_id", "lead", true)
            .fk("customer_id", "customer", false)
            .fk("dealer_id", "dealer", false)
            .fk("user_id", "app_user", false)
            .text("user_name")
            .fk("model_id", "vehicle_model", false)
            .bigint("list_price")
            .bigint("discounts")
            .bigint("gifts_value")
            .bigint("fees")
            .bigint("total")
            .text("lines")
            .date("valid_until")
            .text_null("note")
            .bigint_null("conflict_quote_id")
            .bigint_null("conflict_difference")
            .versioned()
            .create(),
        unique("ux_quote_no", "quote", &["quote_no"]),
        index("ix_quote_customer", "quote", &["customer_id", "created_at"]),
        index("ix_quote_lead", "quote", &["lead_id"]),
        index("ix_quote_dealer", "quote", &["dealer_id", "created_at"]),
        // Scheduled work that must run once per key (a day) even with several
        // instances: the unique key is the lock.
        table("job_run")
            .text("name")
            .text("run_key")
            .text("status")
            .text_null("result")
            .timestamp("started_at")
            .timestamp_null("finished_at")
            .create(),
        unique("ux_job_run_key", "job_run", &["name", "run_key"]),
        // In-app notifications (new assignments, distributed leads, handovers).
        table("notification")
            .bigint("user_id")
            .text("kind")
            .text("title")
            .text_null("body")
            .text_null("link")
            .timestamp("created_at")
            .timestamp_null("read_at")
            .create(),
        index("ix_notification_user", "notification", &["user_id", "read_at"]),
        table("handover")
            .bigint("from_user_id")
            .bigint_null("to_user_id")
            .bigint_null("dealer_id")
            .bigint_null("actor_id")
            .bigint("leads_moved")
            .bigint("customers_moved")
            .bigint("tasks_moved")
            .text_null("note")
            .timestamp("at")
            .create(),
        index("ix_handover_from", "handover", &["from_user_id"]),
        // Consultants on duty receive new leads; the time of the last assignment
        // drove round robin until version 5 (now read from the leads).
        Change::AddColumn("app_user", Column { name: "on_duty", kind: Kind::Bool, nullable: false, references: None, default: Some("TRUE") }),
        Change::AddColumn("app_user", Column { name: "last_assigned_at", kind: Kind::Timestamp, nullable: true, references: None, default: None }),
        // Options of an import (the event and source of an auto-show card import).
        Change::AddColumn("import_job", Column { name: "options", kind: Kind::Text, nullable: true, references: None, default: None }),
        // ---- showroom traffic and funnel analytics (capabilities `traffic`, `analytics`) ----
        // Daily walk-ins and phone inquiries per dealer, channel and media source;
        // one row per cell of the receptionist's grid (upserted on the unique key).
        table("showroom_traffic")
            .fk("dealer_id", "dealer", false)
            .date("day")
            .text("channel")
            .text("source")
            .bigint("visits")
            .bigint_null("recorded_by")
            .timestamp("created_at")
            .timestamp("updated_at")
            .create(),
        unique("ux_showroom_traffic", "showroom_traffic", &["dealer_id", "day", "channel", "source"]),
        // The OEM's traffic report reads a range of days across all dealers: covered,
        // so it never visits the table.
        index("ix_showroom_traffic_day", "showroom_traffic", &["day", "dealer_id", "channel", "source", "visits"]),
        // A dealer's, group's or region's funnel is a range of creation times per dealer.
        index("ix_lead_dealer_created", "lead", &["dealer_id", "created_at"]),
        // The analytics reports are one pass over the leads created in a period; this
        // index holds every column they read, so SQLite scans it in order of creation
        // without visiting the table (about 40 % of the table's size).
        index(
            "ix_lead_analytics",
            "lead",
            &[
                "created_at", "dealer_id", "owner_user_id", "source", "event", "timeframe", "grade", "stage", "contacted_at",
                "visited_at", "test_drive_at", "quoted_at", "ordered_at", "delivered_at", "next_follow_up_at", "distributed_at",
                "feedback_due_at", "feedback_at",
            ],
        ),
    ]
}
