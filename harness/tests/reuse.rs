//! What the engines keep from one run to the next, asserted on every
//! engine of the default registry: one compiled module run from many
//! threads and many times in a row, the on-disk module cache, and many
//! cached modules alive at once.

use std::path::PathBuf;

use xharness_engines::{Module, Preopen, Status};

mod seam;

use seam::{c_guest, engines, inv, scratch, text, wat};

#[test]
fn a_compiled_module_runs_from_many_threads() {
    for e in engines() {
        let m: Module = e.compile(c_guest()).expect("compiles");
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    let m = m.clone();
                    s.spawn(move || {
                        let o = e.run(&m, &inv(&["exit", &t.to_string()]));
                        assert_eq!(o.status, Status::Exited(t), "{}", e.name());
                    })
                })
                .collect();
            for h in handles {
                h.join().expect("thread");
            }
        });
    }
}

#[test]
fn module_cache_hits_and_replaces_corrupt_entries() {
    use xharness_engines::cache::{Lookup, ModuleCache};
    let dir = scratch("cache");
    let cache = ModuleCache::new(dir.path());
    for e in engines() {
        let wasm = c_guest();
        if !e.caches_native_code() {
            // An interpreter keeps nothing on disk: every lookup compiles.
            let (m, first) = cache.load_or_compile(e.as_ref(), wasm).expect("compile");
            assert_eq!(first, Lookup::Uncached, "{}", e.name());
            assert!(!cache.entry_path(e.as_ref(), wasm).exists(), "{}", e.name());
            assert_eq!(e.run(&m, &inv(&["exit", "7"])).status, Status::Exited(7));
            continue;
        }
        let (_, first) = cache.load_or_compile(e.as_ref(), wasm).expect("compile");
        assert_eq!(first, Lookup::Miss, "{}", e.name());
        let (m, second) = cache.load_or_compile(e.as_ref(), wasm).expect("load");
        assert_eq!(second, Lookup::Hit, "{}", e.name());
        assert_eq!(
            e.run(&m, &inv(&["exit", "7"])).status,
            Status::Exited(7),
            "{}",
            e.name()
        );

        let path: PathBuf = cache.entry_path(e.as_ref(), wasm);
        let mut bytes = std::fs::read(&path).expect("entry exists");
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&path, &bytes).expect("corrupt it");
        let (m, third) = cache.load_or_compile(e.as_ref(), wasm).expect("recompile");
        assert!(
            matches!(third, Lookup::Replaced(_)),
            "{}: {third:?}",
            e.name()
        );
        assert_eq!(
            e.run(&m, &inv(&["exit", "3"])).status,
            Status::Exited(3),
            "{}",
            e.name()
        );
        let (_, fourth) = cache.load_or_compile(e.as_ref(), wasm).expect("load");
        assert_eq!(fourth, Lookup::Hit, "{}: entry was rewritten", e.name());

        // A payload cut short, and a check block whose recorded length
        // is absurd, are replaced too (and the length is not trusted for
        // an allocation). The check block is a file of its own for an
        // engine that maps the entry, the end of the one file otherwise.
        let whole = std::fs::read(&path).expect("entry exists");
        std::fs::write(&path, &whole[..whole.len() - 1]).expect("truncate it");
        let (_, fifth) = cache.load_or_compile(e.as_ref(), wasm).expect("recompile");
        assert!(
            matches!(fifth, Lookup::Replaced(_)),
            "{}: {fifth:?}",
            e.name()
        );
        let sum_path = path.with_extension("sum");
        assert_eq!(sum_path.exists(), e.maps_cache_files(), "{}", e.name());
        let (block_path, at) = if e.maps_cache_files() {
            (sum_path, 0)
        } else {
            let len = std::fs::metadata(&path).expect("entry exists").len();
            (path.clone(), len as usize - 20)
        };
        let mut block = std::fs::read(&block_path).expect("check block exists");
        assert_eq!(&block[at..at + 5], b"XHMOD", "{}", e.name());
        block[at + 8..at + 16].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
        std::fs::write(&block_path, &block).expect("damage the length");
        let (m, sixth) = cache.load_or_compile(e.as_ref(), wasm).expect("recompile");
        assert!(
            matches!(sixth, Lookup::Replaced(_)),
            "{}: {sixth:?}",
            e.name()
        );
        assert_eq!(e.run(&m, &inv(&["exit", "5"])).status, Status::Exited(5));
        let (_, seventh) = cache.load_or_compile(e.as_ref(), wasm).expect("load");
        assert_eq!(seventh, Lookup::Hit, "{}: entry was rewritten", e.name());
    }
}

/// Runs of one module one after another share no WASI state: each sees
/// only its own arguments, environment, stdin and preopens, after runs
/// that exited, hit the memory limit or read a file (wasmer keeps a store
/// and its host functions from one plain run to the next).
#[test]
fn runs_one_after_another_share_no_state() {
    let dir = scratch("serial");
    std::fs::write(dir.path().join("in.txt"), "from the host\n").expect("write");
    for e in engines() {
        let name = e.name();
        let module = e.compile(c_guest()).expect("compile");
        for i in 0..45 {
            let mut a = inv(&["args", &format!("run{i}")]);
            a.stdin = format!("stdin {i}\n").into_bytes();
            let o = e.run(&module, &a);
            assert_eq!(o.status, Status::Exited(0), "{name}: run {i}");
            assert_eq!(
                text(&o.stdout.bytes),
                format!("[guest]\n[args]\n[run{i}]\n"),
                "{name}"
            );

            let mut v = inv(&["env"]);
            v.env = vec![("RUN".into(), i.to_string())];
            let o = e.run(&module, &v);
            assert_eq!(
                text(&o.stdout.bytes),
                format!("RUN={i}\n"),
                "{name}: run {i}"
            );

            let o = e.run(&module, &inv(&["stdin"]));
            assert_eq!(
                text(&o.stdout.bytes),
                "",
                "{name}: run {i} read another's stdin"
            );

            match i % 15 {
                0 => {
                    let o = e.run(&module, &inv(&["exit", "3"]));
                    assert_eq!(o.status, Status::Exited(3), "{name}: run {i}");
                }
                5 => {
                    let mut m = inv(&["malloc"]);
                    m.max_memory = 24 << 20;
                    let o = e.run(&module, &m);
                    assert!(
                        text(&o.stdout.bytes).starts_with("allocation failed after"),
                        "{name}: run {i}: {}",
                        o.status
                    );
                }
                10 => {
                    let mut f = inv(&["files"]);
                    f.preopens.push(Preopen {
                        host: dir.path().to_path_buf(),
                        guest: ".".into(),
                        read_only: false,
                    });
                    let o = e.run(&module, &f);
                    assert_eq!(text(&o.stdout.bytes), "read: from the host\n", "{name}");
                    // The next run has no preopen: the file is out of reach.
                    let o = e.run(&module, &inv(&["escape", "in.txt"]));
                    assert_eq!(o.status, Status::Exited(0), "{name}: run {i}");
                }
                _ => {}
            }
        }
    }
}

/// Many modules loaded from the cache one after another, all kept alive,
/// each still runs its own code: an engine that shares one loader between
/// modules and replaces it after a number of them (wasmer) must keep the
/// code of every module that is still alive.
#[test]
fn many_cached_modules_stay_runnable_together() {
    use xharness_engines::cache::{Lookup, ModuleCache};
    const N: usize = 150;
    let dir = scratch("many");
    let cache = ModuleCache::new(dir.path());
    let printing = |i: usize| {
        let line = format!("module {i}\n");
        wat(
            &format!(
                "(i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const {})) (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))",
                line.len()
            ),
            &format!("(data (i32.const 64) \"{}\")", line.escape_default()),
        )
    };
    for e in engines().iter().filter(|e| e.caches_native_code()) {
        let name = e.name();
        for i in 0..N {
            cache
                .load_or_compile(e.as_ref(), &printing(i))
                .expect("compile");
        }
        let loaded: Vec<Module> = (0..N)
            .map(|i| {
                let (m, lookup) = cache
                    .load_or_compile(e.as_ref(), &printing(i))
                    .expect("load");
                assert_eq!(lookup, Lookup::Hit, "{name}: module {i}");
                m
            })
            .collect();
        // Oldest first: their loader has been replaced by now.
        for (i, m) in loaded.iter().enumerate() {
            let o = e.run(m, &inv(&[]));
            assert_eq!(o.status, Status::Exited(0), "{name}: module {i}");
            assert_eq!(text(&o.stdout.bytes), format!("module {i}\n"), "{name}");
        }
    }
}
