//! `autocrm user add|passwd|list`: account administration from the command line,
//! acting as the system (recorded in the audit trail as `system`).

use autocrm_domain::access::{Role, Scope};
use autocrm_domain::users::{check_password, parse_username};
use autocrm_store::auth::Actor;
use autocrm_store::{Db, org, page::PageRequest, record, users};
use clap::Subcommand;

use crate::anyhow_lite::{Context, Error, Result};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. Prints the generated password when none is given.
    Add {
        #[arg(long)]
        username: String,
        /// One of: admin, oem_sales_ops, oem_marketing, regional_manager, cac_agent,
        /// tech_support, group_manager, dealer_manager, sales_consultant, service_advisor.
        #[arg(long)]
        role: String,
        /// Dealer code, for dealer staff (dealer_manager, sales_consultant, service_advisor).
        #[arg(long)]
        dealer: Option<String>,
        /// Dealer-group code, for a group_manager.
        #[arg(long)]
        group: Option<String>,
        /// Region code, for a regional_manager.
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        password: Option<String>,
    },
    /// Set a user's password (ends their sessions).
    Passwd {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// List accounts.
    List,
}

async fn id_by_code(db: &Db, t: &autocrm_store::scope::Scoped, code: &str, what: &str) -> Result<i64> {
    let all = org::options(db, &Scope::Oem, t).await.context("reading the organization")?;
    all.into_iter()
        .find(|(_, c, _)| c.eq_ignore_ascii_case(code))
        .map(|(id, _, _)| id)
        .ok_or_else(|| Error(format!("no {what} with code {code}")))
}

fn generated_password() -> String {
    format!("acrm-{}", &autocrm_store::auth::new_secret()[..12])
}

pub async fn run(db: &Db, cmd: UserCommand) -> Result<()> {
    let system = Actor::system();
    match cmd {
        UserCommand::Add { username, role, dealer, group, region, display_name, password } => {
            let username = parse_username(&username).map_err(|e| Error(e.to_string()))?;
            let role = Role::parse(&role).ok_or_else(|| Error(format!("unknown role {role}")))?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(generated_password);
            check_password("password", &password).map_err(|e| Error(e.to_string()))?;
            let mut u = users::blank(username.clone(), display_name.unwrap_or_else(|| username.clone()), role);
            if let Some(code) = dealer {
                u.dealer_id = Some(id_by_code(db, &org::DEALER, &code, "dealer").await?);
            }
            if let Some(code) = group {
                u.group_id = Some(id_by_code(db, &org::GROUP, &code, "dealer group").await?);
            }
            if let Some(code) = region {
                u.region_id = Some(id_by_code(db, &org::REGION, &code, "region").await?);
            }
            let u = users::create(db, &system, u, &password).await.context("creating the user")?;
            println!("created user {} ({}), id {}", u.username, u.role, u.id);
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Passwd { username, password } => {
            let generated = password.is_none();
            let password = password.unwrap_or_else(generated_password);
            check_password("password", &password).map_err(|e| Error(e.to_string()))?;
            let user = users::find_by_username(db, &username)
                .await
                .context("finding the user")?
                .ok_or_else(|| Error(format!("no user {username}")))?;
            users::set_password(db, &system, &Scope::Oem, user.id, &password).await.context("setting the password")?;
            println!("password set for {}", user.username);
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::List => {
            let mut cursor: Option<String> = None;
            println!("{:<6} {:<24} {:<18} {:<20} {:<8} {}", "id", "username", "role", "name", "active", "dealer");
            loop {
                let page = PageRequest::parse(Some(500), None, cursor.as_deref(), &users::SORT, "username")
                    .map_err(|e| Error(e.to_string()))?;
                let p = record::list::<users::User>(db, &Scope::Oem, users::Filter::default().condition(), &page).await.context("listing")?;
                for u in &p.items {
                    let dealer = u.dealer_id.map(|d| d.to_string()).unwrap_or_default();
                    println!("{:<6} {:<24} {:<18} {:<20} {:<8} {}", u.id, u.username, u.role.as_str(), u.display_name, u.active, dealer);
                }
                match p.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
        }
    }
    Ok(())
}
