//! The driver's functions as `.T` files call them: option constructors
//! (`expect_broken(N)`, `when(c, opt)`, …), predicates on the config
//! (`arch('wasm32')`, …) and normaliser constructors, each turning Python
//! values into the GHC layer's data ([`Setup`], [`Norm`], booleans).

use std::cell::RefCell;
use std::rc::Rc;

use super::config::{Config, ConfigValue};
use super::normalise::Norm;
use super::obj::Obj;
use super::setup::Setup;
use pyeval::{Dict, Value};

/// What an option constructor returns.
pub(super) enum Built {
    Setup(Setup),
    /// `when(c, opt)` returns `opt` itself (or `normal`).
    Value(Value),
}

pub(super) fn host(obj: Obj) -> Value {
    Value::Host(Rc::new(obj))
}

/// A listing-sized rendering of a value.
pub(super) fn short(s: &str) -> String {
    if s.chars().count() <= 60 {
        return s.to_owned();
    }
    let cut: String = s.chars().take(57).collect();
    format!("{cut}...")
}

pub(super) fn to_value(v: &ConfigValue) -> Value {
    match v {
        ConfigValue::Bool(b) => Value::Bool(*b),
        ConfigValue::Int(i) => Value::Int(*i),
        ConfigValue::Float(f) => Value::Float(*f),
        ConfigValue::Str(s) => Value::Str(Rc::from(s.as_str())),
        ConfigValue::List(l) => {
            Value::List(Rc::new(RefCell::new(l.iter().map(to_value).collect())))
        }
        ConfigValue::Dict(d) => {
            let mut dict = Dict::new();
            for (k, v) in d {
                // String keys always hash.
                let _ = dict.insert(Value::str(k), to_value(v));
            }
            Value::Dict(Rc::new(RefCell::new(dict)))
        }
        ConfigValue::None => Value::None,
    }
}

pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(v) => match v.as_list_items() {
            Some(items) => items.iter().map(Value::py_str).collect(),
            None => vec![v.py_str()],
        },
        None => Vec::new(),
    }
}

fn as_float(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn dict_items(v: &Value) -> Option<Vec<(Value, Value)>> {
    match v {
        Value::Dict(d) => Some(d.borrow().entries().to_vec()),
        _ => None,
    }
}

fn int(v: Option<&Value>) -> i64 {
    v.and_then(Value::as_int).unwrap_or(0)
}

fn text(v: Option<&Value>) -> String {
    v.map(Value::py_str).unwrap_or_default()
}

/// `arch('wasm32')`, `have_profiling()`, … from the config.
pub(super) fn predicate(config: &Config, name: &str, args: &[Value]) -> Value {
    let arg = || text(args.first());
    let b = match name {
        "arch" => config.text("arch") == arg(),
        "platform" => config.text("platform") == arg(),
        "opsys" => config.text("os") == arg(),
        "wordsize" => config.text("wordsize") == arg(),
        "js_arch" => config.text("arch") == "javascript",
        "wasm_arch" => config.text("arch") == "wasm32",
        "on_windows" => config.text("os") == "mingw32",
        "have_slow_bignum" => !config.flag("have_fast_bignum"),
        "have_dynamic_prof" => config.flag("have_profiling_dynamic"),
        "have_threaded" => config.flag("ghc_with_threaded_rts"),
        "llvm_build" => config.flag("ghc_built_by_llvm"),
        "gcc_as_cmmp" => config.flag("cmm_cpp_is_gcc"),
        "fast" => config.get("speed") == Some(&ConfigValue::Int(2)),
        "slow" => config.get("speed") == Some(&ConfigValue::Int(0)),
        "doing_ghci" => config
            .ways(true)
            .iter()
            .any(|w| w == "ghci" || w == "ghci-opt"),
        "needsTargetWrapper" => config.flag("cross"),
        "exe_extension" => {
            return Value::Str(Rc::from(if config.text("arch") == "wasm32" {
                ".wasm"
            } else {
                ""
            }));
        }
        // have_profiling(), ghc_dynamic(), unregisterised(), …: the config key of the same name.
        other => config.flag(other),
    };
    Value::Bool(b)
}

/// `normalise_version_(pkgs…)` and friends called for a normaliser value.
pub(super) fn normaliser_call(name: &str, args: &[Value]) -> Value {
    match name {
        "normalise_version_" => host(Obj::Norm(Norm::Version(
            args.iter().map(Value::py_str).collect(),
        ))),
        other => host(Obj::Norm(Norm::Unknown(format!("{other}(...)")))),
    }
}

/// The normalisers among `fs` (Python functions become unknown ones).
fn norms(fs: &[Value]) -> Vec<Norm> {
    let mut out = Vec::new();
    for f in fs {
        if let Some(items) = f.as_list_items() {
            out.extend(norms(&items));
            continue;
        }
        out.push(match f {
            Value::Host(h) => match h.as_any().downcast_ref::<Obj>() {
                Some(Obj::Norm(n)) => n.clone(),
                _ => Norm::Unknown(h.type_name().to_owned()),
            },
            Value::Function(func) => Norm::Python(func.name().to_owned()),
            other => Norm::Unknown(short(&other.repr())),
        });
    }
    out
}

/// Build the option an option constructor returns.
pub(super) fn construct(config: &Config, name: &str, args: &[Value]) -> Result<Built, String> {
    let a0 = args.first();
    let a1 = args.get(1);
    let is_wasm = config.text("arch") == "wasm32";
    let is_js = config.text("arch") == "javascript";
    let s = match name {
        "when" | "unless" => {
            let cond = a0.is_some_and(Value::truthy);
            let take = if name == "when" { cond } else { !cond };
            return Ok(Built::Value(match (take, a1) {
                (true, Some(v)) => v.clone(),
                _ => host(Obj::Setup(Setup::Normal, "normal".into(), Vec::new())),
            }));
        }
        "compose" => {
            return Ok(Built::Value(Value::List(Rc::new(RefCell::new(
                args.to_vec(),
            )))));
        }
        "expect_broken" => Setup::ExpectBroken(int(a0)),
        "expect_broken_for" => Setup::ExpectBrokenFor(int(a0), strings(a1)),
        "expect_fail_for" => Setup::ExpectFailFor(strings(a0)),
        "fragile" => Setup::Fragile(int(a0)),
        "fragile_for" => Setup::FragileFor(int(a0), strings(a1)),
        "js_broken" if is_js => Setup::ExpectBroken(int(a0)),
        "wasm_broken" if is_wasm => Setup::ExpectBroken(int(a0)),
        "js_fragile" if is_js => Setup::Fragile(int(a0)),
        "js_broken" | "wasm_broken" | "js_fragile" => Setup::Normal,
        "omit_ways" => Setup::OmitWays(strings(a0)),
        "only_ways" => Setup::OnlyWays(strings(a0)),
        "extra_ways" => Setup::ExtraWays(strings(a0)),
        "exit_code" => Setup::ExitCode(int(a0)),
        "signal_exit_code" if is_wasm => Setup::ExitCode(1),
        "signal_exit_code" => Setup::ExitCode(int(a0) + 128),
        "run_timeout_multiplier" => Setup::RunTimeout(a0.and_then(as_float).unwrap_or(1.0)),
        "extra_run_opts" => Setup::ExtraRunOpts(text(a0)),
        "extra_hc_opts" => Setup::ExtraHcOpts(text(a0)),
        "extra_files" => Setup::ExtraFiles(strings(a0)),
        "set_stdin" => Setup::Stdin(text(a0)),
        "use_specs" => Setup::UseSpecs(
            a0.and_then(dict_items)
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.py_str(), v.py_str()))
                .collect(),
        ),
        "pre_cmd" => Setup::PreCmd(text(a0)),
        "cmd_prefix" => Setup::CmdWrapper(format!("{} ", text(a0)), String::new()),
        "cmd_wrapper" | "compile_cmd_prefix" => {
            Setup::Unsupported(format!("{name}: needs a shell wrapper"))
        }
        "check_stdout" => Setup::Unsupported("check_stdout: needs a Python checker".into()),
        "normalise_fun" => Setup::NormaliseStdout(norms(args)),
        "normalise_errmsg_fun" => Setup::NormaliseStderr(norms(args)),
        "normalise_version" => Setup::NormaliseBoth(vec![Norm::Version(
            args.iter().map(Value::py_str).collect(),
        )]),
        "normalise_whitespace_fun" => {
            Setup::Whitespace(norms(args).pop().unwrap_or(Norm::Whitespace))
        }
        "filter_stdout_lines" | "limit_stdout_lines" => {
            Setup::NormaliseStdout(vec![Norm::Unknown(format!("{name}(...)"))])
        }
        "grep_errmsg" | "multiline_grep_errmsg" | "check_errmsg" => {
            Setup::NormaliseStderr(vec![Norm::Unknown(format!("{name}(...)"))])
        }
        _ => Setup::NoEffect,
    };
    Ok(Built::Setup(s))
}
