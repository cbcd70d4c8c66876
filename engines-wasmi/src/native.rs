//! Native imports on wasmi: a host function for every import of a
//! described module ([`xharness_engines::native::bind_imports`]).

use std::path::PathBuf;

use wasmi::{Caller, Linker, Module as WiModule, Val, ValType};
use xharness_engines::native::{Binding, ImportSig, Scalar, Value, bind_imports};

use crate::Host;

/// Define the native imports of `files` that `module` uses.
pub(crate) fn define(
    linker: &mut Linker<Host>,
    module: &WiModule,
    files: &[PathBuf],
) -> Result<(), String> {
    let imports: Vec<_> = module.imports().collect();
    let sigs: Vec<ImportSig> = imports
        .iter()
        .map(|i| ImportSig {
            module: i.module().to_owned(),
            name: i.name().to_owned(),
            func: i.ty().func().map(|f| {
                (
                    f.params().iter().map(scalar).collect(),
                    f.results().iter().map(scalar).collect(),
                )
            }),
        })
        .collect();
    for binding in bind_imports(files, &sigs)? {
        let import = &imports[binding.index];
        let Some(ty) = import.ty().func().cloned() else {
            continue;
        };
        let label = binding.label.clone();
        linker
            .func_new(import.module(), import.name(), ty, host_fn(binding))
            .map_err(|e| format!("cannot define `{label}`: {e}"))?;
    }
    Ok(())
}

fn host_fn(
    binding: Binding,
) -> impl Fn(Caller<'_, Host>, &[Val], &mut [Val]) -> Result<(), wasmi::Error> + Send + Sync + 'static
{
    move |caller, params, results| {
        let memory = caller
            .get_export("memory")
            .and_then(|e| e.into_memory())
            .ok_or_else(|| wasmi::Error::new(binding.no_memory()))?;
        let base = memory.data_ptr(&caller);
        let len = memory.data_size(&caller) as u64;
        let args: Vec<Value> = params.iter().map(value).collect();
        // SAFETY: base and len are this instance's memory, read just now
        // inside its host call; nothing else touches it meanwhile.
        let out = unsafe { binding.invoke(&args, base, len) }.map_err(wasmi::Error::new)?;
        if let (Some(v), Some(slot)) = (out, results.first_mut()) {
            *slot = val(v);
        }
        Ok(())
    }
}

fn scalar(t: &ValType) -> Result<Scalar, String> {
    Ok(match t {
        ValType::I32 => Scalar::I32,
        ValType::I64 => Scalar::I64,
        ValType::F32 => Scalar::F32,
        ValType::F64 => Scalar::F64,
        other => return Err(format!("{other:?}")),
    })
}

fn value(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(x.to_float()),
        Val::F64(x) => Value::F64(x.to_float()),
        _ => Value::I32(0),
    }
}

fn val(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x.into()),
        Value::F64(x) => Val::F64(x.into()),
    }
}
