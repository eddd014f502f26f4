//! Version 10: each customer's screen-pop card, kept true by the database itself.
//!
//! The screen-pop read a dozen index entries and rows over five tables on every
//! call (vehicles and their models, open commitments, the latest timeline entries,
//! consents): 2.1–2.6× the work of a bare lookup of the same customer. A card holds
//! those parts of one customer's answer, as JSON, in one row keyed by the customer's
//! id, so a call reads the number's index entry, the customer and the card.
//!
//! A card is either absent or true. Every change to a row it is made from deletes
//! it in the same transaction, by the triggers below — whichever code path writes
//! (a capture's timeline entry, a merge moving history, an import, a catalog edit),
//! so no write path has to remember it. A screen-pop that finds no card answers
//! from the tables, as before, and asks for the card to be built
//! (`search::cards`); the builder locks the customers it builds for on
//! PostgreSQL, and the triggers take the weakest lock on the same customer
//! first, so a change committed while a card was being built still deletes it.

use crate::schema::{Change, table};

/// SQLite: the triggers that drop a customer's card when a row of `$table` (with a
/// `customer_id`) is inserted, updated (from and to another customer) or deleted.
macro_rules! drop_card_on_change {
    ($table:literal) => {
        concat!(
            "CREATE TRIGGER screen_pop_card_", $table, "_insert AFTER INSERT ON ", $table,
            " BEGIN DELETE FROM screen_pop_card WHERE id = NEW.customer_id; END; ",
            "CREATE TRIGGER screen_pop_card_", $table, "_update AFTER UPDATE ON ", $table,
            " BEGIN DELETE FROM screen_pop_card WHERE id IN (OLD.customer_id, NEW.customer_id); END; ",
            "CREATE TRIGGER screen_pop_card_", $table, "_delete AFTER DELETE ON ", $table,
            " BEGIN DELETE FROM screen_pop_card WHERE id = OLD.customer_id; END; "
        )
    };
}

pub fn changes() -> Vec<Change> {
    vec![
        // `id` is the customer's id (no foreign key: a card of a customer merged
        // away is never read, and the merge's own changes delete it).
        table("screen_pop_card").text("body").create(),
        Change::Raw {
            sqlite: concat!(
                drop_card_on_change!("timeline_event"),
                drop_card_on_change!("ownership"),
                drop_card_on_change!("consent"),
                "CREATE TRIGGER screen_pop_card_vehicle AFTER UPDATE OF vin, plate, status, model_id ON vehicle \
                BEGIN DELETE FROM screen_pop_card WHERE id IN (SELECT customer_id FROM ownership WHERE vehicle_id = NEW.id); END; \
                CREATE TRIGGER screen_pop_card_model AFTER UPDATE OF brand, model ON vehicle_model \
                BEGIN DELETE FROM screen_pop_card WHERE id IN \
                  (SELECT o.customer_id FROM vehicle v JOIN ownership o ON o.vehicle_id = v.id WHERE v.model_id = NEW.id); END;"
            ),
            postgres: "\
                CREATE FUNCTION screen_pop_card_drop(who BIGINT) RETURNS void LANGUAGE plpgsql AS $$ \
                BEGIN \
                  PERFORM 1 FROM customer WHERE id = who FOR KEY SHARE; \
                  DELETE FROM screen_pop_card WHERE id = who; \
                END $$; \
                CREATE FUNCTION screen_pop_card_stale() RETURNS trigger LANGUAGE plpgsql AS $$ \
                BEGIN \
                  IF TG_OP <> 'INSERT' THEN PERFORM screen_pop_card_drop(OLD.customer_id); END IF; \
                  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.customer_id IS DISTINCT FROM OLD.customer_id) THEN \
                    PERFORM screen_pop_card_drop(NEW.customer_id); \
                  END IF; \
                  RETURN NULL; \
                END $$; \
                CREATE TRIGGER screen_pop_card_timeline AFTER INSERT OR UPDATE OR DELETE ON timeline_event \
                  FOR EACH ROW EXECUTE FUNCTION screen_pop_card_stale(); \
                CREATE TRIGGER screen_pop_card_ownership AFTER INSERT OR UPDATE OR DELETE ON ownership \
                  FOR EACH ROW EXECUTE FUNCTION screen_pop_card_stale(); \
                CREATE TRIGGER screen_pop_card_consent AFTER INSERT OR UPDATE OR DELETE ON consent \
                  FOR EACH ROW EXECUTE FUNCTION screen_pop_card_stale(); \
                CREATE FUNCTION screen_pop_card_vehicle_stale() RETURNS trigger LANGUAGE plpgsql AS $$ \
                BEGIN \
                  PERFORM screen_pop_card_drop(o.customer_id) FROM ownership o WHERE o.vehicle_id = NEW.id; \
                  RETURN NULL; \
                END $$; \
                CREATE TRIGGER screen_pop_card_vehicle AFTER UPDATE OF vin, plate, status, model_id ON vehicle \
                  FOR EACH ROW EXECUTE FUNCTION screen_pop_card_vehicle_stale(); \
                CREATE FUNCTION screen_pop_card_model_stale() RETURNS trigger LANGUAGE plpgsql AS $$ \
                BEGIN \
                  PERFORM screen_pop_card_drop(o.customer_id) FROM vehicle v JOIN ownership o ON o.vehicle_id = v.id \
                    WHERE v.model_id = NEW.id; \
                  RETURN NULL; \
                END $$; \
                CREATE TRIGGER screen_pop_card_model AFTER UPDATE OF brand, model ON vehicle_model \
                  FOR EACH ROW EXECUTE FUNCTION screen_pop_card_model_stale();",
        },
    ]
}
