//! A crate with its own rolegate catalog (`rolegate.toml`, named in Cargo.toml), extending the built-in one.
//!
//! `#[requires]` here knows `contoso_invoice` and the "Invoice clerk" role; at run time the same file is loaded
//! into an [`rolegate::Authority`].

use rolegate::{Authority, Catalog, Denied, Principal, requires};

/// The catalog this crate validates against, loaded at run time from the same file.
pub fn authority() -> Authority {
    let text = include_str!("../rolegate.toml");
    let catalog = Catalog::from_str_named(text, "rolegate.toml", rolegate::catalog::Syntax::Toml)
        .expect("rolegate.toml is validated at compile time by #[requires]");
    Authority::new(catalog)
}

/// Raises an invoice: Create on the custom table.
#[requires(privilege = "Create", table = "contoso_invoice")]
pub fn raise_invoice(user: &Principal, amount: u64) -> Result<u64, Denied> {
    Ok(amount)
}

/// Reads every invoice in the user's business unit, by schema name. (Not by the display name "Invoice": that is the
/// logical name of the built-in out-of-box `invoice` table, and a logical name is found before a display name.)
#[requires(privilege = "Read", table = "contoso_Invoice", depth = "Business Unit")]
pub fn list_invoices(user: &Principal) -> Result<usize, Denied> {
    Ok(0)
}

/// Approves an invoice: a custom capability.
#[requires(capability = "approve-invoices")]
pub fn approve(user: &Principal, invoice: u64) -> Result<u64, Denied> {
    Ok(invoice)
}

/// Reads an invoice's amount, a secured column: Read on the table and a field security profile granting Read on
/// `amount`.
#[requires(privilege = "Read", table = "contoso_invoice", column = "amount")]
pub fn invoice_amount(user: &Principal, amount: u64) -> Result<u64, Denied> {
    Ok(amount)
}

/// Built-in tables are still there.
#[requires(privilege = "Read", table = "msdyn_liveworkstream", depth = "Global")]
pub fn list_workstreams(user: &Principal) -> Result<usize, Denied> {
    Ok(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clerk_raises_and_approves_but_the_agent_does_not() {
        let authority = authority();
        let clerk = authority.principal("clerk", ["Invoice clerk"]).unwrap();
        let agent = authority.principal("agent", ["Omnichannel agent"]).unwrap();
        assert_eq!(raise_invoice(&clerk, 10), Ok(10));
        assert_eq!(list_invoices(&clerk), Ok(0));
        assert_eq!(approve(&clerk, 7), Ok(7));
        assert_eq!(list_workstreams(&clerk), Ok(3));
        let denied = approve(&agent, 7).unwrap_err();
        assert_eq!(
            denied.to_string(),
            "missing capability approve-invoices; held through no role"
        );
        assert!(raise_invoice(&agent, 1).is_err());
    }

    #[test]
    fn a_secured_column_needs_a_field_security_profile_beside_the_table_privilege() {
        use rolegate::ColumnRight;
        use rolegate::org::FieldSecurityProfile;
        let authority = authority();
        let org = rolegate::Organization::builder(&authority)
            .business_unit("Root", None)
            .user("paid", "Root", ["Invoice clerk"])
            .user("plain", "Root", ["Invoice clerk"])
            .user("agent", "Root", ["Omnichannel agent"])
            .field_security_profile(
                FieldSecurityProfile::new("Invoice amounts")
                    .allow("contoso_invoice", "amount", [ColumnRight::Read])
                    .user("paid")
                    .user("agent"),
            )
            .build()
            .unwrap();
        let user = |name| org.principal_named(name).unwrap();
        assert_eq!(invoice_amount(&user("paid"), 5), Ok(5));
        let denied = invoice_amount(&user("plain"), 5).unwrap_err();
        assert_eq!(
            denied.to_string(),
            "missing Read on secured column contoso_invoice.amount; no field security profile of the principal grants it"
        );
        let denied = invoice_amount(&user("agent"), 5).unwrap_err();
        assert_eq!(
            denied.reason,
            rolegate::DenialReason::NotHeld,
            "the table privilege is checked first"
        );
    }

    #[test]
    fn the_builtin_authority_does_not_know_the_custom_table_and_denies() {
        let builtin = Authority::builtin();
        let admin = builtin
            .principal("ada", ["Omnichannel administrator"])
            .unwrap();
        let denied = raise_invoice(&admin, 1).unwrap_err();
        assert_eq!(denied.reason, rolegate::DenialReason::Unknown);
        assert!(
            denied.to_string().contains("not in the runtime catalog"),
            "{denied}"
        );
    }
}
