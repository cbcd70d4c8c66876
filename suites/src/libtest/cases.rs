//! Listed tests → cases.

use std::collections::BTreeMap;

use super::{Binary, Listed, Plan};
use crate::error::SuiteError;
use crate::{
    ANY_ENGINE, Case, CaseExpect, CaseKind, CaseRun, CaseSource, DirMapping, Expectation, Mode,
    Normalize, StreamNormalize, Suite, SuiteKind, Toolchain,
};

/// libtest prints how long the run took: not part of what is compared
/// between engines.
const TIMING: (&str, &str) = (r"finished in [0-9]+(\.[0-9]+)?s", "finished in Ns");

pub(super) fn suite(
    plan: &Plan,
    listed: Vec<(Binary, Vec<Listed>)>,
    warnings: Vec<String>,
) -> Result<Suite, SuiteError> {
    let mut cases: Vec<Case> = listed
        .iter()
        .flat_map(|(binary, tests)| tests.iter().map(move |t| case(plan, binary, t)))
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = cases.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(SuiteError::Libtest {
            file: plan.file.clone(),
            message: format!(
                "two tests are both named {} ({} and {}); give the binaries different names",
                pair[0].name,
                pair[0].source.src.display(),
                pair[1].source.src.display()
            ),
        });
    }
    let mut engine_keys = Vec::new();
    if let Some(file) = &plan.source_file {
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        let mut raw = plan.expect.clone();
        if plan.source_overridden {
            // Only some of the suite's binaries may have been built.
            for entries in raw.values_mut() {
                entries.retain(|case, _| names.binary_search(&case.get_ref().as_str()).is_ok());
            }
        }
        let mut by_case = crate::generic::expect::parse(file, &raw, &names, &mut engine_keys)?;
        for case in &mut cases {
            if let Some(per_engine) = by_case.remove(&case.name) {
                // `#[ignore]` stays a skip whatever the file says.
                if case.expect.engines.contains_key(ANY_ENGINE) {
                    continue;
                }
                case.expect.engines.extend(per_engine);
            }
        }
    }
    Ok(Suite {
        name: plan.name.clone(),
        kind: SuiteKind::Libtest,
        file: plan.file.clone(),
        root: plan.root.clone(),
        toolchain: Toolchain::BuiltinWasm,
        normalize: normalize(),
        cases,
        retries: plan.retries,
        warnings,
        expectations: plan.expectations.clone(),
        engine_keys,
        derived: Vec::new(),
    })
}

fn normalize() -> Normalize {
    Normalize {
        rules: vec![(TIMING.0.to_owned(), TIMING.1.to_owned())],
        normalize_crlf: true,
        ..Normalize::default()
    }
}

fn case(plan: &Plan, binary: &Binary, test: &Listed) -> Case {
    let stem = binary
        .path
        .file_stem()
        .map_or_else(|| binary.name.clone(), |s| s.to_string_lossy().into_owned());
    let expect: BTreeMap<String, Expectation> = match &test.ignore {
        Some(reason) => {
            let why = if reason.is_empty() {
                "#[ignore]".to_owned()
            } else {
                format!("#[ignore]: {reason}")
            };
            BTreeMap::from([(ANY_ENGINE.to_owned(), Expectation::Skip(why))])
        }
        None => BTreeMap::new(),
    };
    let mut info = vec![
        ("binary".to_owned(), binary.path.display().to_string()),
        ("test".to_owned(), test.name.clone()),
    ];
    if let Some(source) = &test.source {
        info.push(("source".to_owned(), source.clone()));
    }
    let none = binary.cwd.join(".xharness-no-golden");
    let run = CaseRun {
        args: vec!["--exact".into(), test.name.clone(), "--nocapture".into()],
        env: plan.env.clone(),
        dirs: vec![DirMapping {
            host: binary.cwd.clone(),
            guest: ".".into(),
            read_only: false,
            copy: false,
        }],
        stdin: None,
        timeout: plan.timeout,
        max_memory: plan.max_memory,
        max_output: plan.max_output,
        scratch: false,
        combine_output: false,
    };
    let expect = CaseExpect {
        exit_code: 0,
        golden_stdout: none.clone(),
        golden_stderr: none,
        engines: expect,
        mode: Mode::CompileAndRun,
        normalize: Some(std::sync::Arc::new(StreamNormalize {
            stdout: normalize(),
            stderr: normalize(),
        })),
        ignore_stdout: true,
        ignore_stderr: true,
    };
    Case {
        name: format!("{}/{}", binary.name, test.name),
        source: CaseSource {
            src: binary.path.clone(),
            dir: binary.cwd.clone(),
            stem,
        },
        run,
        expect,
        info,
        kind: CaseKind::Libtest {
            test: test.name.clone(),
        },
    }
}
