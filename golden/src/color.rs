//! The colour decision for rendered output: `--color`, the terminal, and
//! the environment's colour variables as the caller read them ([`ColorEnv`]).
//!
//! `Always` and `Never` are final. `Auto` follows the common conventions, in this order:
//! a non-empty `NO_COLOR` disables colour (<https://no-color.org>); a `CLICOLOR_FORCE`
//! other than empty or `0` enables it; `CLICOLOR=0` disables it; otherwise colour is
//! used exactly when the output is a terminal.

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

/// What the colour variables of the environment say; the caller reads
/// them (this crate reads no environment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ColorEnv {
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set, not empty and not `0`.
    pub force: bool,
    /// `CLICOLOR` is `0`.
    pub off: bool,
}

/// Whether to colour output, given the user's choice, whether the output
/// is a terminal, and the environment's colour variables (for `auto`).
pub fn color_choice(flag: ColorChoice, is_terminal: bool, env: &ColorEnv) -> bool {
    match flag {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env.no_color => false,
        ColorChoice::Auto if env.force => true,
        ColorChoice::Auto if env.off => false,
        ColorChoice::Auto => is_terminal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: ColorEnv = ColorEnv {
        no_color: false,
        force: false,
        off: false,
    };

    #[test]
    fn explicit_choice_wins() {
        let env = ColorEnv {
            no_color: true,
            force: true,
            off: false,
        };
        assert!(color_choice(ColorChoice::Always, false, &env));
        assert!(!color_choice(ColorChoice::Never, true, &env));
    }

    #[test]
    fn auto_follows_terminal() {
        assert!(color_choice(ColorChoice::Auto, true, &NONE));
        assert!(!color_choice(ColorChoice::Auto, false, &NONE));
    }

    #[test]
    fn no_color_beats_force_and_force_beats_the_terminal() {
        let no = ColorEnv {
            no_color: true,
            ..NONE
        };
        assert!(!color_choice(ColorChoice::Auto, true, &no));
        let force = ColorEnv {
            force: true,
            ..NONE
        };
        assert!(color_choice(ColorChoice::Auto, false, &force));
        let both = ColorEnv {
            no_color: true,
            force: true,
            off: false,
        };
        assert!(!color_choice(ColorChoice::Auto, false, &both));
    }

    #[test]
    fn clicolor_zero_disables() {
        let off = ColorEnv { off: true, ..NONE };
        assert!(!color_choice(ColorChoice::Auto, true, &off));
    }

    #[test]
    fn choices_parse_and_print() {
        for c in [ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never] {
            assert_eq!(c.to_string().parse::<ColorChoice>(), Ok(c));
        }
        assert!("sometimes".parse::<ColorChoice>().is_err());
    }
}
