//! The driver's `config` object: what the target is and what it can do.
//!
//! GHC's `.T` files branch on `config.*` and on predicates built from it
//! (`arch('wasm32')`, `have_profiling()`, `req_interp`). The defaults
//! describe a wasm32-wasi GHC; a `ghc-testsuite` suite file overrides any
//! value in its `[config]` table. Values are plain data here (the suite is
//! `Send`); each `.T` file gets its own Python copy.

use std::collections::BTreeMap;

/// One configuration value, as TOML can write it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ConfigValue {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<ConfigValue>),
    /// A table.
    Dict(BTreeMap<String, ConfigValue>),
    /// Python's `None`.
    None,
}

impl ConfigValue {
    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            ConfigValue::Bool(b) => *b,
            ConfigValue::Int(i) => *i != 0,
            ConfigValue::Float(f) => *f != 0.0,
            ConfigValue::Str(s) => !s.is_empty(),
            ConfigValue::List(l) => !l.is_empty(),
            ConfigValue::Dict(d) => !d.is_empty(),
            ConfigValue::None => false,
        }
    }

    /// From a TOML value; `None` for dates, which no driver setting uses.
    pub fn from_toml(value: &toml::Value) -> Option<Self> {
        Some(match value {
            toml::Value::Boolean(b) => ConfigValue::Bool(*b),
            toml::Value::Integer(i) => ConfigValue::Int(*i),
            toml::Value::Float(f) => ConfigValue::Float(*f),
            toml::Value::String(s) => ConfigValue::Str(s.clone()),
            toml::Value::Array(a) => {
                ConfigValue::List(a.iter().map(Self::from_toml).collect::<Option<_>>()?)
            }
            toml::Value::Table(t) => ConfigValue::Dict(
                t.iter()
                    .map(|(k, v)| Some((k.clone(), Self::from_toml(v)?)))
                    .collect::<Option<_>>()?,
            ),
            toml::Value::Datetime(_) => return None,
        })
    }
}

/// The target description the `.T` files see as `config`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Config {
    values: BTreeMap<String, ConfigValue>,
}

impl Default for Config {
    fn default() -> Self {
        Self::wasm32_wasi()
    }
}

impl Config {
    /// Defaults for a wasm32-wasi GHC: a cross compiler without an
    /// interpreter, dynamic linking, profiling or SMP.
    pub fn wasm32_wasi() -> Self {
        use ConfigValue::{Bool, Int, List, Str};
        let s = |v: &str| Str(v.to_owned());
        let normal = || List(vec![s("normal")]);
        let mut values: BTreeMap<String, ConfigValue> = BTreeMap::new();
        let mut set = |k: &str, v: ConfigValue| {
            values.insert(k.to_owned(), v);
        };
        set("platform", s("wasm32-unknown-wasi"));
        set("os", s("wasi"));
        set("arch", s("wasm32"));
        set("wordsize", s("32"));
        set("compiler", s("wasm32-wasi-ghc"));
        set("compiler_type", s("ghc"));
        set("ghc_pkg", s("wasm32-wasi-ghc-pkg"));
        set("ways", normal());
        set("compile_ways", normal());
        set("run_ways", normal());
        set("other_ways", List(vec![]));
        set("cmdline_ways", List(vec![]));
        set("way_flags", words_table(&WAY_FLAGS));
        set("way_rts_flags", words_table(&WAY_RTS_FLAGS));
        set("ghc_th_way_flags", s(""));
        set("ghci_way_flags", s(""));
        set("plugin_way_flags", s(""));
        set("ghc_th_way", s("normal"));
        set("compiler_always_flags", List(vec![]));
        for flag in [
            "have_vanilla",
            "have_dynamic",
            "have_profiling",
            "have_profiling_dynamic",
            "have_interp",
            "have_ext_interp",
            "have_RTS_linker",
            "have_ncg",
            "have_llvm",
            "have_gdb",
            "have_readelf",
            "have_fast_bignum",
            "have_thread_sanitizer",
            "have_process",
            "ghc_dynamic",
            "ghc_has_smp",
            "target_has_smp",
            "ghc_with_threaded_rts",
            "supports_dynamic_libs",
            "supports_dynamic_hs",
            "unregisterised",
            "compiler_profiled",
            "compiler_debugged",
            "debug_rts",
            "tables_next_to_code",
            "leading_underscore",
            "ghc_built_by_llvm",
            "cmm_cpp_is_gcc",
            "haddock",
            "msys",
            "cygwin",
            "accept",
            "list_broken",
            "interp_force_dyn",
            "skip_perf_tests",
            "only_perf_tests",
        ] {
            set(flag, Bool(false));
        }
        set("cross", Bool(true));
        set("in_tree_compiler", Bool(true));
        set("cleanup", Bool(true));
        set("local", Bool(true));
        set("speed", Int(1));
        set("verbose", Int(2));
        set("timeout", Int(300));
        set("stage", Int(2));
        set("threads", Int(1));
        set("libdir", s(""));
        set("target_wrapper", ConfigValue::None);
        set("stats_files_dir", s(""));
        Config { values }
    }

    /// The way classes GHC's config file defines as globals
    /// (`prof_ways`, `ghci_ways`, …), for `only_ways(prof_ways)` and the like.
    pub fn way_class(name: &str) -> Option<&'static [&'static str]> {
        Some(match name {
            "prof_ways" => &[
                "prof",
                "profdyn",
                "profdyn_no_auto",
                "prof_no_auto",
                "profasm",
                "profthreaded",
                "prof_hc_hb",
                "prof_hb",
                "prof_hd",
                "prof_hy",
                "prof_hr",
                "profllvm",
                "profoptllvm",
            ],
            "ghci_ways" => &["ghci", "ghci-opt"],
            "debug_ways" => &[
                "debug_numa",
                "sanity",
                "threaded1",
                "threaded1_ls",
                "threaded2_sanity",
            ],
            "threaded_ways" => &[
                "debug_numa",
                "profthreaded",
                "ghci",
                "ghci-opt",
                "threaded1",
                "threaded1_ls",
                "threaded2",
                "threaded2_hT",
                "threaded2_sanity",
            ],
            "concurrent_ways" => &[
                "debug_numa",
                "threaded2",
                "threaded2_hT",
                "threaded2_sanity",
            ],
            "opt_ways" => &[
                "optasm",
                "optllvm",
                "profasm",
                "profthreaded",
                "threaded2",
                "threaded2_hT",
                "threaded2_sanity",
                "hpc",
                "prof_hc_hb",
                "prof_hb",
                "prof_hd",
                "prof_hy",
                "prof_hr",
                "dyn",
                "static",
                "debug",
                "profoptllvm",
            ],
            "llvm_ways" => &["llvm", "optllvm", "debugllvm", "profllvm", "profoptllvm"],
            _ => return None,
        })
    }

    /// Replace or add one value.
    pub fn set(&mut self, key: &str, value: ConfigValue) {
        self.values.insert(key.to_owned(), value);
    }

    /// A value, if the config has it.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.values.get(key)
    }

    /// Every value, sorted by name.
    pub fn values(&self) -> &BTreeMap<String, ConfigValue> {
        &self.values
    }

    /// A value's truthiness; a missing key is false.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key).is_some_and(ConfigValue::truthy)
    }

    /// A string value (`wordsize` may be written as an integer too).
    pub fn text(&self, key: &str) -> String {
        match self.get(key) {
            Some(ConfigValue::Str(s)) => s.clone(),
            Some(ConfigValue::Int(i)) => i.to_string(),
            _ => String::new(),
        }
    }

    /// The ways the tests run in: `run_ways` for tests that run, else `compile_ways`.
    pub fn ways(&self, runs: bool) -> Vec<String> {
        let key = if runs { "run_ways" } else { "compile_ways" };
        match self.get(key) {
            Some(ConfigValue::List(_)) => self.strings(key),
            _ => vec!["normal".to_owned()],
        }
    }

    /// The strings of a list value (or the words of a string value).
    pub fn strings(&self, key: &str) -> Vec<String> {
        strings_of(self.get(key))
    }

    /// The flags a way adds, from the dict `key` (`way_flags`,
    /// `way_rts_flags`); none for a way the dict does not name.
    pub fn way_flags(&self, key: &str, way: &str) -> Vec<String> {
        match self.get(key) {
            Some(ConfigValue::Dict(d)) => strings_of(d.get(way)),
            _ => Vec::new(),
        }
    }

    /// Take `--ways a,b` as GHC's driver takes `--way`: only those ways
    /// run (`cmdline_ways`), and each is added to `run_ways` and
    /// `compile_ways` where missing.
    pub fn select_ways(&mut self, ways: &[String]) {
        for key in ["run_ways", "compile_ways"] {
            let mut have = self.ways(key == "run_ways");
            for w in ways {
                if !have.contains(w) {
                    have.push(w.clone());
                }
            }
            self.set(
                key,
                ConfigValue::List(have.into_iter().map(ConfigValue::Str).collect()),
            );
        }
        let chosen = ways.iter().cloned().map(ConfigValue::Str).collect();
        self.set("cmdline_ways", ConfigValue::List(chosen));
    }
}

/// GHC's `config.way_flags` (`testsuite/config/ghc`): the compiler flags
/// of each way, for the ways a wasm32 GHC can have.
const WAY_FLAGS: [(&str, &str); 16] = [
    ("normal", ""),
    ("optasm", "-O -fasm"),
    ("llvm", "-fllvm"),
    ("optllvm", "-O -fllvm"),
    ("threaded1", "-threaded -debug"),
    ("threaded2", "-O -threaded"),
    ("sanity", "-debug"),
    ("dyn", "-O -dynamic"),
    ("static", "-O -static"),
    ("hpc", "-O -fhpc"),
    ("prof", "-prof -static -fprof-auto"),
    ("profasm", "-O -prof -static -fprof-auto"),
    ("debug", "-O -g -dannot-lint"),
    ("nonmoving", ""),
    ("compacting_gc", ""),
    ("normal_h", ""),
];

/// GHC's `config.way_rts_flags`: the RTS flags of each way.
const WAY_RTS_FLAGS: [(&str, &str); 16] = [
    ("normal", ""),
    ("optasm", ""),
    ("llvm", ""),
    ("optllvm", ""),
    ("threaded1", ""),
    ("threaded2", "-N2 -ls"),
    ("sanity", "-DS"),
    ("dyn", ""),
    ("static", ""),
    ("hpc", ""),
    ("prof", "-p"),
    ("profasm", "-hc -p"),
    ("debug", ""),
    ("nonmoving", "-xn"),
    ("compacting_gc", "-c"),
    ("normal_h", "-hT"),
];

/// A table of way → list of words.
fn words_table(rows: &[(&str, &str)]) -> ConfigValue {
    let table = rows
        .iter()
        .map(|(way, words)| {
            let list = words
                .split_whitespace()
                .map(|w| ConfigValue::Str(w.to_owned()))
                .collect();
            ((*way).to_owned(), ConfigValue::List(list))
        })
        .collect();
    ConfigValue::Dict(table)
}

fn strings_of(value: Option<&ConfigValue>) -> Vec<String> {
    match value {
        Some(ConfigValue::List(l)) => l
            .iter()
            .filter_map(|v| match v {
                ConfigValue::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        Some(ConfigValue::Str(s)) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_describe_wasm32_wasi() {
        let c = Config::default();
        assert_eq!(c.text("platform"), "wasm32-unknown-wasi");
        assert_eq!(c.text("arch"), "wasm32");
        assert_eq!(c.text("wordsize"), "32");
        assert!(!c.flag("have_interp"));
        assert!(c.flag("cross"));
        assert_eq!(c.ways(true), ["normal"]);
    }

    #[test]
    fn overrides_replace_values() {
        let mut c = Config::default();
        let v = toml::Value::Array(vec![toml::Value::String("ghci".into())]);
        c.set("run_ways", ConfigValue::from_toml(&v).expect("plain value"));
        c.set("have_interp", ConfigValue::Bool(true));
        assert_eq!(c.ways(true), ["ghci"]);
        assert!(c.flag("have_interp"));
        c.set("wordsize", ConfigValue::Int(64));
        assert_eq!(c.text("wordsize"), "64");
    }
}
