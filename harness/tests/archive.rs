//! End-to-end: suite archives. `xharness archive` builds once; shard runs
//! from the archive in their own folders, with their own caches, no
//! source tree and no toolchain on PATH, merge into the same results as a
//! single run from source. Bad archives are refused before anything runs.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const BOTH: &str = "wasmtime,wasmer";

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// `xharness ARGS` in `dir`, with its own cache and nothing on PATH: no
/// compiler, no shell tools.
fn bare(dir: &Path, args: &[&str]) -> Output {
    std::fs::create_dir_all(dir).expect("mkdir");
    Command::new(env!("CARGO_BIN_EXE_xharness"))
        .args(args)
        .current_dir(dir)
        .env("XHARNESS_CACHE_DIR", dir.join("cache"))
        .env("PATH", dir.join("no-tools-here"))
        .env("NO_COLOR", "1")
        .output()
        .expect("xharness starts")
}

/// (case, engine) → (status, reason, exit code, stdout digest) of a run's JSON.
fn outcomes(path: &Path) -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    json["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                (
                    r["case"].as_str().unwrap_or_default().to_owned(),
                    r["engine"].as_str().unwrap_or_default().to_owned(),
                ),
                format!(
                    "{} {} {} {}",
                    r["status"], r["reason"], r["exit_code"], r["stdout"]["digest"]
                ),
            )
        })
        .collect()
}

#[test]
fn shards_run_from_the_archive_without_source_or_toolchain_and_merge_to_a_single_run() {
    let work = Fixture::new();
    let src = work.path().join("source/c-basic");
    copy_tree(&examples().join("c-basic"), &src);
    let build = work.path().join("build");
    std::fs::create_dir_all(&build).expect("mkdir");
    // The build job: one run from source (the reference) and the archive.
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xharness"))
            .args(args)
            .current_dir(&build)
            .env("XHARNESS_CACHE_DIR", build.join("cache"))
            .output()
            .expect("xharness starts")
    };
    let suite = src.display().to_string();
    let o = run(&["--suite", &suite, "--engine", BOTH, "--json", "single.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run(&[
        "archive",
        "--suite",
        &suite,
        "--engine",
        BOTH,
        "-o",
        "suite.tar.zst",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("27 cases of suite c-basic"),
        "{}",
        stdout(&o)
    );
    // Same inputs, same bytes.
    let o = run(&[
        "archive",
        "--suite",
        &suite,
        "--engine",
        BOTH,
        "-o",
        "again.tar.zst",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = std::fs::read(build.join("suite.tar.zst")).expect("archive");
    assert_eq!(
        bytes,
        std::fs::read(build.join("again.tar.zst")).expect("archive")
    );
    // The shard jobs: the source tree is gone, each job has only the archive.
    std::fs::remove_dir_all(work.path().join("source")).expect("rm source");
    let mut shard_files = Vec::new();
    for k in 1..=4 {
        let dir = work.path().join(format!("shard{k}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("suite.tar.zst"), &bytes).expect("copy archive");
        let part = format!("hash:{k}/4");
        let o = bare(
            &dir,
            &[
                "--archive",
                "suite.tar.zst",
                "--engine",
                BOTH,
                "--partition",
                &part,
                "--json",
                "shard.json",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
        shard_files.push(dir.join("shard.json"));
    }
    // The merge job.
    let merge = work.path().join("merge");
    let mut args = vec!["report".to_owned(), "merge".to_owned()];
    args.extend(shard_files.iter().map(|p| p.display().to_string()));
    args.extend(["--json".into(), "all.json".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = bare(&merge, &args);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let single = outcomes(&build.join("single.json"));
    let merged = outcomes(&merge.join("all.json"));
    assert_eq!(single.len(), 54);
    assert_eq!(merged, single);
}

#[test]
fn a_run_from_an_archive_refuses_bless_and_shares_one_unpacked_copy() {
    let f = Fixture::new();
    let suite = examples().join("wat-demo").display().to_string();
    let o = f.run(&["archive", "--suite", &suite, "-o", "w.tar.zst"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = f.run(&["--archive", "w.tar.zst", "--bless"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--bless writes goldens into the suite's source tree"),
        "{}",
        stderr(&o)
    );
    // Two runs at once on one cache: both pass, one unpacked copy.
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_xharness"))
            .args(["--archive", "w.tar.zst"])
            .current_dir(f.path())
            .env("XHARNESS_CACHE_DIR", f.cache.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("xharness starts")
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let o = child.wait_with_output().expect("wait");
        assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    }
    let copies = std::fs::read_dir(f.cache.path().join("archives"))
        .expect("archives")
        .flatten()
        .filter(|e| e.path().join("manifest.json").is_file())
        .count();
    assert_eq!(copies, 1);
}

#[test]
fn precompiled_native_code_is_installed_into_the_module_cache() {
    let f = Fixture::new();
    let suite = examples().join("wat-demo").display().to_string();
    let o = f.run(&[
        "archive",
        "--suite",
        &suite,
        "--engine",
        "wasmtime",
        "--precompile",
        "-o",
        "w.tar.zst",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // --list compiles nothing: what the cache holds came with the archive,
    // a .bin and its .sum per module.
    let fresh = f.path().join("fresh");
    let args = ["--archive", "../w.tar.zst", "--engine", "wasmtime"];
    let o = bare(&fresh, &[&args[..], &["--list"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let modules = stdout(&o).lines().filter(|l| !l.trim().is_empty()).count();
    let native = walk_count(&fresh.join("cache/modules/wasmtime"));
    assert_eq!(native, 2 * modules, "{}", stdout(&o));
    let o = bare(&fresh, &args);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
}

fn walk_count(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            if e.path().is_dir() {
                walk_count(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// A zstd-compressed tar of `files`.
fn tar_zst(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar_builder();
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        tar.append_data(&mut h, name, *data).expect("append");
    }
    let raw = tar.into_inner().expect("tar");
    zstd::encode_all(raw.as_slice(), 3).expect("zstd")
}

fn tar_builder() -> tar::Builder<Vec<u8>> {
    tar::Builder::new(Vec::new())
}

#[test]
fn damaged_incompatible_or_incomplete_archives_are_refused_before_anything_runs() {
    let f = Fixture::new();
    let suite = examples().join("wat-demo").display().to_string();
    let o = f.run(&["archive", "--suite", &suite, "-o", "good.tar.zst"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let good = std::fs::read(f.path().join("good.tar.zst")).expect("archive");
    let check = |name: &str, bytes: &[u8], wanted: &str| {
        std::fs::write(f.path().join(name), bytes).expect("write");
        let o = f.run(&["--archive", name, "--json", "r.json"]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(wanted), "{name}: {}", stderr(&o));
        assert!(
            !stdout(&o).contains("PASS"),
            "{name} ran cases: {}",
            stdout(&o)
        );
    };
    check(
        "cut.tar.zst",
        &good[..good.len() / 2],
        "is not a complete xharness archive",
    );
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    flipped[mid + 1] ^= 0xff;
    check(
        "flipped.tar.zst",
        &flipped,
        "is not a complete xharness archive",
    );
    check(
        "garbage.tar.zst",
        b"not an archive at all",
        "is not a complete xharness archive",
    );
    let future = tar_zst(&[(
        "manifest.json",
        br#"{"format": 99, "xharness": "9.0.0", "suite": {}, "cases": [], "precompiled": []}"#,
    )]);
    check("future.tar.zst", &future, "archive format 99");
    // A manifest naming a module the archive lacks.
    let unpacked = tempfile::tempdir().expect("tmp");
    tar::Archive::new(zstd::Decoder::new(good.as_slice()).expect("zstd"))
        .unpack(unpacked.path())
        .expect("unpack");
    let manifest = std::fs::read(unpacked.path().join("manifest.json")).expect("manifest");
    let incomplete = tar_zst(&[("manifest.json", &manifest)]);
    check("incomplete.tar.zst", &incomplete, "it lacks modules/");
    let o = f.run(&["--archive", "missing.tar.zst"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot read archive missing.tar.zst"),
        "{}",
        stderr(&o)
    );
}
