//! The platform's emails, as (subject, body) in plain text. Links carry single-use tokens;
//! the store keeps only their hashes.

use marrakech_core::policy::Role;

fn link(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

pub fn invitation(base: &str, roles: &[Role], token: &str, days: i64) -> (String, String) {
    let roles: Vec<String> = roles.iter().map(|r| format!("  - {r}")).collect();
    (
        "You are invited to Marrakech".to_owned(),
        format!(
            "An administrator of Marrakech, the platform of the Global Compact for Safe, Orderly \
             and Regular Migration, has invited you with these roles:\n\n{}\n\n\
             To accept, choose your password here (the link works once, for {days} days):\n\n{}\n\n\
             If you did not expect this, ignore this message.\n",
            roles.join("\n"),
            link(base, &format!("/invitations/{token}"))
        ),
    )
}

pub fn confirm_email(base: &str, token: &str, days: i64) -> (String, String) {
    (
        "Confirm your email address for Marrakech".to_owned(),
        format!(
            "Someone, probably you, registered this address on Marrakech. To confirm it and \
             activate the account, open this link (it works once, for {days} days):\n\n{}\n\n\
             If it was not you, ignore this message and no account will be activated.\n",
            link(base, &format!("/confirm-email/{token}"))
        ),
    )
}

pub fn password_reset(base: &str, token: &str) -> (String, String) {
    (
        "Reset your Marrakech password".to_owned(),
        format!(
            "Someone asked to reset the password of the Marrakech account with this address. To \
             choose a new one, open this link (it works once, for one hour):\n\n{}\n\n\
             If it was not you, ignore this message: your password stays as it is.\n",
            link(base, &format!("/password/reset/{token}"))
        ),
    )
}

pub fn already_registered(base: &str) -> (String, String) {
    (
        "Your Marrakech account".to_owned(),
        format!(
            "Someone tried to register this address on Marrakech, but it has an account already. \
             If it was you, sign in at {} or reset your password at {}.\n\n\
             If it was not you, ignore this message.\n",
            link(base, "/login"),
            link(base, "/password/forgot")
        ),
    )
}
