//! The colour decision for rendered output: `--color`, the terminal, and the environment.
//!
//! `Always` and `Never` are final. `Auto` follows the common conventions, in this order:
//! a non-empty `NO_COLOR` disables colour (<https://no-color.org>); a `CLICOLOR_FORCE`
//! other than empty or `0` enables it; `CLICOLOR=0` disables it; otherwise colour is
//! used exactly when the output is a terminal.

use std::ffi::OsString;
use std::fmt;
use std::str::FromStr;

/// The user's `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ColorChoice {
    /// Colour when the output is a terminal and the environment does not say otherwise.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl fmt::Display for ColorChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColorChoice::Auto => "auto",
            ColorChoice::Always => "always",
            ColorChoice::Never => "never",
        })
    }
}

/// The error for a `--color` value other than `auto`, `always` or `never`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid color choice `{0}`: use `auto`, `always` or `never`")]
pub struct ParseColorChoiceError(pub String);

impl FromStr for ColorChoice {
    type Err = ParseColorChoiceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(ColorChoice::Auto),
            "always" => Ok(ColorChoice::Always),
            "never" => Ok(ColorChoice::Never),
            other => Err(ParseColorChoiceError(other.to_string())),
        }
    }
}

/// Whether to colour output, given the user's choice and whether the output is a terminal.
pub fn color_choice(flag: ColorChoice, is_terminal: bool) -> bool {
    decide(flag, is_terminal, &|name| std::env::var_os(name))
}

/// [`color_choice`] with the environment passed in, so tests need not change it.
fn decide(flag: ColorChoice, is_terminal: bool, env: &dyn Fn(&str) -> Option<OsString>) -> bool {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    match flag {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR").is_some() => false,
        ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        ColorChoice::Auto if set("CLICOLOR").is_some_and(|v| v == "0") => false,
        ColorChoice::Auto => is_terminal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            vars.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn explicit_choice_wins() {
        let env = with(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
        assert!(decide(ColorChoice::Always, false, &env));
        assert!(!decide(ColorChoice::Never, true, &env));
    }

    #[test]
    fn auto_follows_terminal() {
        assert!(decide(ColorChoice::Auto, true, &with(&[])));
        assert!(!decide(ColorChoice::Auto, false, &with(&[])));
    }

    #[test]
    fn no_color_disables_only_when_non_empty() {
        assert!(!decide(
            ColorChoice::Auto,
            true,
            &with(&[("NO_COLOR", "1")])
        ));
        assert!(decide(ColorChoice::Auto, true, &with(&[("NO_COLOR", "")])));
    }

    #[test]
    fn clicolor_force_enables_without_terminal() {
        assert!(decide(
            ColorChoice::Auto,
            false,
            &with(&[("CLICOLOR_FORCE", "1")])
        ));
        assert!(!decide(
            ColorChoice::Auto,
            false,
            &with(&[("CLICOLOR_FORCE", "0")])
        ));
        assert!(!decide(
            ColorChoice::Auto,
            false,
            &with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")])
        ));
    }

    #[test]
    fn clicolor_zero_disables() {
        assert!(!decide(
            ColorChoice::Auto,
            true,
            &with(&[("CLICOLOR", "0")])
        ));
    }

    #[test]
    fn parses_and_displays() {
        for c in [ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never] {
            assert_eq!(c.to_string().parse::<ColorChoice>(), Ok(c));
        }
        let err = "sometimes".parse::<ColorChoice>().unwrap_err();
        assert!(err.to_string().contains("`sometimes`"));
    }
}
