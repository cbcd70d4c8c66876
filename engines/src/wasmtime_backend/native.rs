//! Native imports on wasmtime: a linker with a host function for every
//! import of a described module ([`crate::native::bind_imports`]).

use std::path::PathBuf;

use wasmtime::{Caller, Linker, Module as WtModule, Val, ValType};

use super::Host;
use crate::native::{Binding, ImportSig, Scalar, Value, bind_imports};

/// `base` plus a host function for every import of a described module.
pub(super) fn linker(
    base: &Linker<Host>,
    module: &WtModule,
    files: &[PathBuf],
) -> Result<Linker<Host>, String> {
    let imports: Vec<_> = module.imports().collect();
    let sigs: Vec<ImportSig> = imports
        .iter()
        .map(|i| ImportSig {
            module: i.module().to_owned(),
            name: i.name().to_owned(),
            func: i.ty().func().map(|f| {
                (
                    f.params().map(|t| scalar(&t)).collect(),
                    f.results().map(|t| scalar(&t)).collect(),
                )
            }),
        })
        .collect();
    let mut linker = base.clone();
    for binding in bind_imports(files, &sigs)? {
        let import = &imports[binding.index];
        let Some(ty) = import.ty().func().cloned() else {
            continue;
        };
        define(&mut linker, import.module(), import.name(), ty, binding)?;
    }
    Ok(linker)
}

fn define(
    linker: &mut Linker<Host>,
    module: &str,
    name: &str,
    ty: wasmtime::FuncType,
    binding: Binding,
) -> Result<(), String> {
    let label = binding.label.clone();
    linker
        .func_new(
            module,
            name,
            ty,
            move |mut caller: Caller<'_, Host>, params, results| {
                let memory = caller
                    .get_export("memory")
                    .and_then(|e| e.into_memory())
                    .ok_or_else(|| wasmtime::Error::msg(binding.no_memory()))?;
                let base = memory.data_ptr(&caller);
                let len = memory.data_size(&caller) as u64;
                let args: Vec<Value> = params.iter().map(value).collect();
                // SAFETY: base and len are this instance's memory, read just
                // now inside its host call; nothing else touches it meanwhile.
                let out =
                    unsafe { binding.invoke(&args, base, len) }.map_err(wasmtime::Error::msg)?;
                if let (Some(v), Some(slot)) = (out, results.first_mut()) {
                    *slot = val(v);
                }
                Ok(())
            },
        )
        .map(drop)
        .map_err(|e| format!("cannot define `{label}`: {e}"))
}

fn scalar(t: &ValType) -> Result<Scalar, String> {
    Ok(match t {
        ValType::I32 => Scalar::I32,
        ValType::I64 => Scalar::I64,
        ValType::F32 => Scalar::F32,
        ValType::F64 => Scalar::F64,
        other => return Err(other.to_string()),
    })
}

fn value(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(f32::from_bits(*x)),
        Val::F64(x) => Value::F64(f64::from_bits(*x)),
        _ => Value::I32(0),
    }
}

fn val(v: Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x.to_bits()),
        Value::F64(x) => Val::F64(x.to_bits()),
    }
}
