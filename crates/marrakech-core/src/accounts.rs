//! Values people type into account and organization forms, validated once, here.

use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use thiserror::Error;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: argon2 would hash more, but nobody types more and it bounds the work.
pub const MAX_PASSWORD_CHARS: usize = 256;

const COMMON_PASSWORDS: &str = include_str!("../../../data/reference/common-passwords.txt");

/// A value refused, with the reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// An email address, checked for shape (the confirmation email proves it works).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, Invalid> {
        let email = input.trim();
        if email.is_empty() {
            return Err(invalid("enter an email address"));
        }
        if email.len() > 254 || has_control(email) || email.contains(char::is_whitespace) {
            return Err(invalid("this is not an email address"));
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(invalid("an email address has an @ in it"));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(['<', '>', '"', ',', ';', '(', ')', '[', ']', '\\', '@']);
        if !domain_ok || !local_ok {
            return Err(invalid("this is not an email address"));
        }
        Ok(Email(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's name as shown to those who may see it (never to the public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<DisplayName, Invalid> {
        let name = input.trim();
        match name.chars().count() {
            0 => Err(invalid("enter a name")),
            n if n > 120 => Err(invalid("a name is at most 120 characters")),
            _ if has_control(name) => Err(invalid("a name cannot hold control characters")),
            _ => Ok(DisplayName(name.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An organization's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationName(String);

impl OrganizationName {
    pub fn parse(input: &str) -> Result<OrganizationName, Invalid> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        match name.chars().count() {
            0 => Err(invalid("enter the organization's name")),
            1 => Err(invalid("an organization's name is at least 2 characters")),
            n if n > 200 => Err(invalid("an organization's name is at most 200 characters")),
            _ if has_control(&name) => Err(invalid("a name cannot hold control characters")),
            _ => Ok(OrganizationName(name)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A website: an http or https URL, nothing else (no `javascript:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Website(String);

impl Website {
    pub fn parse(input: &str) -> Result<Website, Invalid> {
        let url = input.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| invalid("a website starts with https:// or http://"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty()
            || !host.contains('.')
            || url.len() > 500
            || has_control(url)
            || url.contains(char::is_whitespace)
            || url.contains(['"', '<', '>', '\'', '`'])
        {
            return Err(invalid("this is not a website address"));
        }
        Ok(Website(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Markdown someone wrote (an organization's description): bounded; rendered only through
/// the sanitizer.
pub fn check_markdown(input: &str, max_chars: usize) -> Result<String, Invalid> {
    let text = input.trim().replace("\r\n", "\n");
    if text.chars().count() > max_chars {
        return Err(invalid(format!("at most {max_chars} characters")));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(invalid("control characters are not allowed"));
    }
    Ok(text)
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Checks a new password: at least 12 characters, not a common password (nor one with digits
/// and symbols tacked on), not made of one or two characters, not the person's email or name.
pub fn check_password(password: &str, personal: &[&str]) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(invalid(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(invalid(format!(
            "a password has at most {MAX_PASSWORD_CHARS} characters"
        )));
    }
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let common = common_passwords();
    if common.contains(lower.as_str()) || (stem.chars().count() >= 4 && common.contains(stem)) {
        return Err(invalid(
            "this password is among the most common ones: choose another",
        ));
    }
    let distinct: HashSet<char> = lower.chars().collect();
    if distinct.len() <= 2 {
        return Err(invalid(
            "a password needs more than two different characters",
        ));
    }
    for value in personal {
        let value = value.trim().to_lowercase();
        if value.chars().count() >= 4 && (lower.contains(&value) || value.contains(&lower)) {
            return Err(invalid("a password cannot contain your email or name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana@Example.org ").unwrap().as_str(),
            "Ana@Example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@example",
            "a b@example.org",
            "ana@exa..mple.org",
            "<script>@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords() {
        assert!(check_password("correct horse battery", &[]).is_ok());
        assert_eq!(
            check_password("short", &[]).unwrap_err().0,
            "a password has at least 12 characters"
        );
        for common in [
            "q1w2e3r4t5y6",
            "Q1W2E3R4T5Y6",
            "password1234!",
            "Qwerty123456789",
        ] {
            assert!(check_password(common, &[]).is_err(), "{common}");
        }
        assert!(check_password("aaaaaaaaaaaaaaaa", &[]).is_err());
        assert!(check_password("ana.silva@example.org!", &["ana.silva@example.org"]).is_err());
        assert!(check_password(&"x".repeat(300), &[]).is_err());
    }

    #[test]
    fn names_websites_and_markdown() {
        assert_eq!(
            OrganizationName::parse("  Red   Cross ").unwrap().as_str(),
            "Red Cross"
        );
        assert!(OrganizationName::parse("A").is_err());
        assert!(DisplayName::parse(" ").is_err());
        assert!(DisplayName::parse("Ana\u{0007}").is_err());
        assert!(Website::parse("https://www.iom.int/").is_ok());
        for bad in [
            "javascript:alert(1)",
            "www.iom.int",
            "https://",
            "https://x.org/\"onmouseover",
        ] {
            assert!(Website::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(check_markdown("a\r\nb", 10).unwrap(), "a\nb");
        assert!(check_markdown(&"x".repeat(11), 10).is_err());
    }
}

/// Brute-force protection for signing in. Failures are counted per (account, client network)
/// pair and per client network, never per account alone: a lock on the account would let
/// anyone lock anyone out, administrators included. Past a few free failures, each further
/// attempt from that pair (or network) waits a delay that doubles with every failure, so the
/// right password keeps working from a network that has not been failing.
pub mod sign_in_throttle {
    /// How far back failures count, in minutes.
    pub const WINDOW_MINUTES: i64 = 15;
    /// Failures an (account, network) pair has before delays start.
    pub const PAIR_FREE_FAILURES: u64 = 5;
    /// Failures a network has, over all accounts, before delays start.
    pub const NETWORK_FREE_FAILURES: u64 = 20;
    /// The longest delay, in seconds.
    pub const MAX_DELAY_SECONDS: i64 = 15 * 60;

    /// Seconds to wait after the last failure before the next attempt, given the failures
    /// counted in the window and how many are free: 0 below the threshold, then 2, 4, 8, ...
    /// up to [`MAX_DELAY_SECONDS`].
    pub fn delay_seconds(failures: u64, free: u64) -> i64 {
        if failures < free {
            return 0;
        }
        let doublings = (failures - free).saturating_add(1).min(20) as u32;
        (1i64 << doublings).min(MAX_DELAY_SECONDS)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn delays_start_at_the_threshold_and_double_to_a_cap() {
            assert_eq!(delay_seconds(0, PAIR_FREE_FAILURES), 0);
            assert_eq!(delay_seconds(4, PAIR_FREE_FAILURES), 0);
            assert_eq!(delay_seconds(5, PAIR_FREE_FAILURES), 2);
            assert_eq!(delay_seconds(6, PAIR_FREE_FAILURES), 4);
            assert_eq!(delay_seconds(9, PAIR_FREE_FAILURES), 32);
            assert_eq!(delay_seconds(40, PAIR_FREE_FAILURES), MAX_DELAY_SECONDS);
            assert_eq!(delay_seconds(u64::MAX, 0), MAX_DELAY_SECONDS);
        }
    }
}
