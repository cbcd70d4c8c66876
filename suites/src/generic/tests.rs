//! End-to-end tests of the generic kind: real `suite.toml` files in temp folders.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;

use crate::{DirMapping, Expectation, Suite, Toolchain, load, load_with_root};

/// A temp folder with `suite.toml` and the given files (path, content).
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new(suite: &str, files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixture = Fixture { dir };
        fixture.write("suite.toml", suite);
        for (path, content) in files {
            fixture.write(path, content);
        }
        fixture
    }

    fn write(&self, path: &str, content: &str) {
        let path = self.dir.path().join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, content).expect("write fixture file");
    }

    /// Canonical path of the fixture (temp dirs may sit behind a symlink).
    fn root(&self) -> PathBuf {
        fs::canonicalize(self.dir.path()).expect("canonical temp dir")
    }

    fn load(&self) -> Suite {
        load(self.dir.path()).unwrap_or_else(|e| panic!("load failed: {e}"))
    }

    fn error(&self) -> String {
        match load(self.dir.path()) {
            Ok(suite) => panic!("expected an error, got {} cases", suite.cases.len()),
            Err(err) => err.to_string(),
        }
    }
}

const MINIMAL: &str = "name = \"t\"\ninclude = [\"**/*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n";

#[test]
fn defaults() {
    let fx = Fixture::new(MINIMAL, &[("a/hello.wat", "(module)")]);
    let suite = fx.load();
    let root = fx.root();
    assert_eq!(suite.name, "t");
    assert_eq!(suite.file, root.join("suite.toml"));
    assert_eq!(suite.root, root);
    assert_eq!(suite.toolchain, Toolchain::BuiltinWat);
    assert!(suite.normalize.rules.is_empty());
    assert!(suite.normalize.normalize_crlf);
    assert!(!suite.normalize.trim_trailing_whitespace);
    let [case] = suite.cases.as_slice() else {
        panic!("one case expected")
    };
    let dir = root.join("a");
    assert_eq!(case.name, "a/hello");
    assert_eq!(case.source.src, dir.join("hello.wat"));
    assert_eq!(case.source.dir, dir);
    assert_eq!(case.source.stem, "hello");
    assert!(case.run.args.is_empty() && case.run.env.is_empty() && case.run.dirs.is_empty());
    assert_eq!(case.run.stdin, Some(dir.join("hello.stdin")));
    assert_eq!(case.expect.exit_code, 0);
    assert_eq!(case.run.timeout, Duration::from_secs(10));
    assert_eq!(case.run.max_memory, 1 << 30);
    assert_eq!(case.run.max_output, 1 << 20);
    assert_eq!(case.expect.golden_stdout, dir.join("hello.stdout"));
    assert_eq!(case.expect.golden_stderr, dir.join("hello.stderr"));
    assert!(case.expect.engines.is_empty());
}

const FULL: &str = r#"
name = "full"
kind = "generic"
root = "src"
include = ["**/*.c"]
exclude = ["skipme/**"]

[toolchain]
command = "cc {src} -o {out} # {{literal}}"
timeout = 2.5
shell = true

[run]
args = ["--name={name}", "{stem}"]
env = { ZED = "z", ALPHA = "{root}" }
dirs = ["data", "{dir}/ro::/mnt/ro:ro", "/abs::guest"]
stdin = "{dir}/inputs/{stem}.in"
exit_code = 7
timeout = 3
max_memory = "64MiB"
max_output = 4096

[golden]
stdout = "expected/{stem}.out"
stderr = "{root}/errs/{name}.err"
trim_trailing_whitespace = true
normalize_crlf = false

[[golden.normalize]]
regex = "took [0-9]+ms"
replace = "took Nms"

[[golden.normalize]]
regex = "0x[0-9a-f]+"
replace = "0xADDR"

[expect.wasmer]
"io/cat" = "xfail: reports errno differently"

[expect.wasmtime]
"io/cat" = "skip: too slow"
"#;

#[test]
fn all_keys() {
    let files = [
        ("src/io/cat.c", ""),
        ("src/skipme/x.c", ""),
        ("src/io/notes.txt", ""),
    ];
    let fx = Fixture::new(FULL, &files);
    let suite = fx.load();
    let root = fx.root().join("src");
    assert_eq!(suite.root, root);
    let want = Toolchain::Command {
        template: "cc {src} -o {out} # {{literal}}".into(),
        timeout: Duration::from_millis(2500),
        shell: true,
    };
    assert_eq!(suite.toolchain, want);
    let rules = [("took [0-9]+ms", "took Nms"), ("0x[0-9a-f]+", "0xADDR")];
    let rules: Vec<(String, String)> = rules
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(suite.normalize.rules, rules);
    assert!(suite.normalize.trim_trailing_whitespace);
    assert!(!suite.normalize.normalize_crlf);

    let [case] = suite.cases.as_slice() else {
        panic!("only io/cat expected")
    };
    let dir = root.join("io");
    let root_s = root.to_string_lossy().into_owned();
    assert_eq!(case.name, "io/cat");
    assert_eq!(case.run.args, ["--name=io/cat", "cat"]);
    assert_eq!(
        case.run.env,
        [("ALPHA".into(), root_s.clone()), ("ZED".into(), "z".into())]
    );
    let dirs = [
        DirMapping {
            host: dir.join("data"),
            guest: "data".into(),
            read_only: false,
            copy: false,
        },
        DirMapping {
            host: dir.join("ro"),
            guest: "/mnt/ro".into(),
            read_only: true,
            copy: false,
        },
        DirMapping {
            host: "/abs".into(),
            guest: "guest".into(),
            read_only: false,
            copy: false,
        },
    ];
    assert_eq!(case.run.dirs, dirs);
    assert_eq!(case.run.stdin, Some(dir.join("inputs/cat.in")));
    assert_eq!(case.expect.exit_code, 7);
    assert_eq!(case.run.timeout, Duration::from_secs(3));
    assert_eq!(case.run.max_memory, 64 << 20);
    assert_eq!(case.run.max_output, 4096);
    assert_eq!(case.expect.golden_stdout, dir.join("expected/cat.out"));
    assert_eq!(case.expect.golden_stderr, root.join("errs/io/cat.err"));
    let mut expect = BTreeMap::new();
    expect.insert(
        "wasmer".to_string(),
        Expectation::XFail("reports errno differently".into()),
    );
    expect.insert("wasmtime".to_string(), Expectation::Skip("too slow".into()));
    assert_eq!(case.expect.engines, expect);
}

#[test]
fn placeholders_expand_per_case_and_keep_out() {
    let suite_toml = format!(
        "{MINIMAL}[run]\nargs = [\"{{src}}\", \"{{dir}}\", \"{{stem}}\", \"{{name}}\", \"{{root}}\", \"{{out}}\", \"{{{{x}}}}\"]\n"
    );
    let fx = Fixture::new(&suite_toml, &[("x/y/z.wat", "")]);
    let suite = fx.load();
    let root = fx.root();
    let case = &suite.cases[0];
    let p = |p: &Path| p.to_string_lossy().into_owned();
    let want = [
        p(&root.join("x/y/z.wat")),
        p(&root.join("x/y")),
        "z".into(),
        "x/y/z".into(),
        p(&root),
        "{out}".into(),
        "{x}".into(),
    ];
    assert_eq!(case.run.args, want);
    let out = root.join("build/z.wasm");
    let vars = suite.vars(case).with_out(&out);
    let expanded = crate::expand("{out} <- {name}", &vars).ok();
    assert_eq!(expanded, Some(format!("{} <- x/y/z", p(&out))));
}

#[test]
fn unknown_placeholder_names_file_line_and_key() {
    let fx = Fixture::new(
        &format!("{MINIMAL}[run]\nenv = {{ A = \"{{foo}}\" }}\n"),
        &[("a.wat", "")],
    );
    let err = fx.error();
    let file = fx.root().join("suite.toml");
    let want = format!(
        "{}:6: `run.env.A`: in \"{{foo}}\": unknown placeholder `{{foo}}`",
        file.display()
    );
    assert!(err.starts_with(&want), "{err}");
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let text =
        "name = \"t\"\ninclude = [\"*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n[run]\ntimout = 5\n";
    let fx = Fixture::new(text, &[("a.wat", "")]);
    let err = fx.error();
    let want = format!("{}:6: ", fx.root().join("suite.toml").display());
    assert!(err.starts_with(&want), "{err}");
    assert!(err.contains("unknown field `timout`"), "{err}");
}

#[test]
fn wrong_type_and_bad_size_carry_lines() {
    let fx = Fixture::new(
        &format!("{MINIMAL}[run]\nexit_code = \"3\"\n"),
        &[("a.wat", "")],
    );
    assert!(fx.error().contains("suite.toml:6: "), "{}", fx.error());
    let fx = Fixture::new(
        &format!("{MINIMAL}[run]\n\nmax_memory = \"1 gig\"\n"),
        &[("a.wat", "")],
    );
    let err = fx.error();
    assert!(
        err.contains("suite.toml:7: ") && err.contains("invalid size \"1 gig\""),
        "{err}"
    );
}

#[test]
fn missing_required_keys_are_named() {
    let fx = Fixture::new(
        "include = [\"*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n",
        &[("a.wat", "")],
    );
    assert!(
        fx.error().contains("missing field `name`"),
        "{}",
        fx.error()
    );
    let fx = Fixture::new("name = \"t\"\ninclude = [\"*.wat\"]\n", &[("a.wat", "")]);
    assert!(
        fx.error()
            .contains("`toolchain`: missing [toolchain] table"),
        "{}",
        fx.error()
    );
}

#[test]
fn no_cases_names_file_root_and_globs() {
    let fx = Fixture::new(MINIMAL, &[("a.c", "")]);
    let err = fx.error();
    assert!(
        err.contains(&fx.root().join("suite.toml").display().to_string()),
        "{err}"
    );
    assert!(
        err.contains(&format!("under {} ", fx.root().display())),
        "{err}"
    );
    assert!(
        err.contains("[\"**/*.wat\"]") && err.contains("check `root` and `include`"),
        "{err}"
    );
}

#[test]
fn exit_and_args_sidecars() {
    let files = [
        ("a.wat", ""),
        ("a.exit", "3\n"),
        ("a.args", "hello world\n{stem}\n"),
        ("b.wat", ""),
    ];
    let text = format!("{MINIMAL}[run]\nargs = [\"first\"]\nexit_code = 1\n");
    let suite = Fixture::new(&text, &files).load();
    let (a, b) = (&suite.cases[0], &suite.cases[1]);
    assert_eq!((a.expect.exit_code, b.expect.exit_code), (3, 1));
    assert_eq!(a.run.args, ["first", "hello world", "{stem}"]);
    assert_eq!(b.run.args, ["first"]);
}

#[test]
fn linked_sources_and_sidecars_count_and_linked_folders_do_not() {
    let files = [
        ("real/a.wat", ""),
        ("real/a.exit", "4\n"),
        ("sub/b.wat", ""),
        ("sub/b.args", "x\n"),
    ];
    let fx = Fixture::new(MINIMAL, &files);
    let root = fx.root();
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(root.join(target), root.join(name)).expect("symlink");
    };
    link("real/a.wat", "sub/linked.wat");
    link("real/a.exit", "sub/linked.exit");
    // A link to a folder is not walked into (the walk does not follow
    // links), as before.
    link("real", "alias");
    let suite = fx.load();
    let names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["real/a", "sub/b", "sub/linked"]);
    let [a, b, linked] = suite.cases.as_slice() else {
        panic!("three cases expected")
    };
    assert_eq!((a.expect.exit_code, linked.expect.exit_code), (4, 4));
    assert_eq!(b.run.args, ["x"]);
    assert!(linked.run.args.is_empty());

    // A folder where a sidecar is expected is an error naming it.
    std::fs::create_dir(root.join("sub/b.exit")).expect("mkdir");
    let err = fx.error();
    assert!(
        err.contains(&root.join("sub/b.exit").display().to_string()),
        "{err}"
    );
}

#[test]
fn bad_exit_sidecar_names_the_file() {
    let fx = Fixture::new(MINIMAL, &[("a.wat", ""), ("a.exit", "three")]);
    let err = fx.error();
    assert!(
        err.starts_with(&format!("{}: ", fx.root().join("a.exit").display())),
        "{err}"
    );
}

#[test]
fn expect_entries_must_name_cases_and_kinds() {
    let text = format!("{MINIMAL}[expect.wasmer]\n\"io/flakey\" = \"xfail: x\"\n");
    let fx = Fixture::new(&text, &[("io/flaky.wat", ""), ("fs/flakey.wat", "")]);
    let err = fx.error();
    assert!(
        err.contains("suite.toml:6: `expect.wasmer.\"io/flakey\"`: no case named"),
        "{err}"
    );
    assert!(err.contains("similar: fs/flakey"), "{err}");

    let text = format!("{MINIMAL}[expect.wasmer]\n\"io/flaky\" = \"broken\"\n");
    let err = Fixture::new(&text, &[("io/flaky.wat", "")]).error();
    assert!(
        err.contains(":6: ") && err.contains("expected \"xfail: REASON\""),
        "{err}"
    );
}

#[test]
fn bad_regex_and_glob_are_named() {
    let text = format!("{MINIMAL}[[golden.normalize]]\nregex = \"(open\"\nreplace = \"\"\n");
    let err = Fixture::new(&text, &[("a.wat", "")]).error();
    assert!(
        err.contains(":6: `golden.normalize.regex`: regex \"(open\" does not compile"),
        "{err}"
    );
    let text = "name = \"t\"\ninclude = [\"a/[z-a\"]\n[toolchain]\nbuiltin = \"wat\"\n";
    let err = Fixture::new(text, &[("a.wat", "")]).error();
    assert!(err.contains(":2: `include`: bad glob \"a/[z-a\""), "{err}");
}

#[test]
fn toolchain_needs_out_and_one_choice() {
    let text = "name = \"t\"\ninclude = [\"*.c\"]\n[toolchain]\ncommand = \"cc {src}\"\n";
    let err = Fixture::new(text, &[("a.c", "")]).error();
    assert!(
        err.contains(":4: `toolchain.command`: the command must write the module to `{out}`"),
        "{err}"
    );
    let text = "name = \"t\"\ninclude = [\"*.c\"]\n[toolchain]\ncommand = \"cc {src} -o {out}\"\nbuiltin = \"wat\"\n";
    assert!(
        Fixture::new(text, &[("a.c", "")])
            .error()
            .contains("not both")
    );
}

#[test]
fn discovery_is_sorted_skips_hidden_and_respects_separators() {
    let text =
        "name = \"t\"\ninclude = [\"*.wat\", \"deep/**/*.wat\"]\n[toolchain]\nbuiltin = \"wat\"\n";
    let files = [
        ("z.wat", ""),
        ("b.wat", ""),
        ("other/no.wat", ""),
        ("deep/x/y.wat", ""),
        ("deep/.hidden/h.wat", ""),
        (".git/g.wat", ""),
    ];
    let suite = Fixture::new(text, &files).load();
    let names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["b", "deep/x/y", "z"]);
}

#[test]
fn duplicate_case_names_are_errors() {
    let text = "name = \"t\"\ninclude = [\"*.wat\", \"*.wasm\"]\n[toolchain]\nbuiltin = \"wat\"\n";
    let err = Fixture::new(text, &[("a.wat", ""), ("a.wasm", "")]).error();
    assert!(err.contains("two files give the case name `a`"), "{err}");
}

#[test]
fn root_override_and_missing_root() {
    let text =
        "name = \"t\"\nroot = \"nope\"\ninclude = [\"*.wat\"]\n[toolchain]\nbuiltin = \"wasm\"\n";
    let fx = Fixture::new(text, &[("real/a.wat", "")]);
    let err = fx.error();
    assert!(
        err.contains("(from `root` at ") && err.contains("suite.toml:2)"),
        "{err}"
    );
    let over = fx.root().join("real");
    let suite = load_with_root(&fx.root(), Some(&over)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(suite.root, over);
    assert_eq!(suite.cases[0].name, "a");
}

#[test]
fn filter_on_a_loaded_suite() {
    let files = [
        ("stdout/hello.wat", ""),
        ("stderr/hello.wat", ""),
        ("exit/code3.wat", ""),
    ];
    let suite = Fixture::new(MINIMAL, &files).load();
    let pick = |f: &[&str], exact| -> Vec<String> {
        let f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        suite
            .filter(&f, exact)
            .into_iter()
            .map(|c| c.name.clone())
            .collect()
    };
    assert_eq!(pick(&[], false).len(), 3);
    assert_eq!(pick(&["hello"], false), ["stderr/hello", "stdout/hello"]);
    assert_eq!(pick(&["stdout/hello"], true), ["stdout/hello"]);
    assert!(pick(&["hello"], true).is_empty());
}

#[test]
fn empty_stdin_means_none() {
    let suite = Fixture::new(&format!("{MINIMAL}[run]\nstdin = \"\"\n"), &[("a.wat", "")]).load();
    assert_eq!(suite.cases[0].run.stdin, None);
}
