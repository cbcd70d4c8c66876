//! Native imports on wasmtime: a linker with the description's functions
//! defined for one module's imports.

use std::path::PathBuf;
use std::sync::Arc;

use wasmtime::{Caller, Linker, Module as WtModule, Val, ValType};

use super::Host;
use crate::native::{Native, Scalar, Value};

/// `base` plus a host function for every import of a described module.
pub(super) fn linker(
    base: &Linker<Host>,
    module: &WtModule,
    files: &[PathBuf],
) -> Result<Linker<Host>, String> {
    let mut linker = base.clone();
    for file in files {
        let native = Native::load(file).map_err(|e| e.to_string())?;
        for import in module.imports().filter(|i| i.module() == native.module) {
            let name = import.name();
            let Some(ty) = import.ty().func().cloned() else {
                return Err(format!(
                    "{}: import `{}::{name}` is not a function",
                    native.file.display(),
                    native.module
                ));
            };
            let bad = |t: &ValType| {
                format!(
                    "{}: import `{}::{name}` has a {t} value, which a C function cannot take",
                    native.file.display(),
                    native.module
                )
            };
            let params: Vec<Scalar> = ty
                .params()
                .map(|t| scalar(&t).ok_or_else(|| bad(&t)))
                .collect::<Result<_, _>>()?;
            let results: Vec<Scalar> = ty
                .results()
                .map(|t| scalar(&t).ok_or_else(|| bad(&t)))
                .collect::<Result<_, _>>()?;
            let call = native
                .bind(name, &params, &results)
                .map_err(|e| e.to_string())?;
            define(&mut linker, &native, name, ty, call)?;
        }
    }
    Ok(linker)
}

fn define(
    linker: &mut Linker<Host>,
    native: &Arc<Native>,
    name: &str,
    ty: wasmtime::FuncType,
    call: Arc<crate::native::Call>,
) -> Result<(), String> {
    let label = format!("{}::{name}", native.module);
    linker
        .func_new(
            &native.module,
            name,
            ty,
            move |mut caller: Caller<'_, Host>, params, results| {
                let memory = caller
                    .get_export("memory")
                    .and_then(|e| e.into_memory())
                    .ok_or_else(|| {
                        wasmtime::Error::msg(format!("{label}: the module exports no `memory`"))
                    })?;
                let base = memory.data_ptr(&caller);
                let len = memory.data_size(&caller) as u64;
                let args: Vec<Value> = params.iter().map(value).collect();
                // SAFETY: base and len are this instance's memory, read just
                // now inside its host call; nothing else touches it meanwhile.
                let out = unsafe { call.invoke(&args, base, len) }
                    .map_err(|m| wasmtime::Error::msg(format!("{label}: {m}")))?;
                if let (Some(v), Some(slot)) = (out, results.first_mut()) {
                    *slot = val(v);
                }
                Ok(())
            },
        )
        .map(drop)
        .map_err(|e| {
            format!(
                "{}: cannot define `{}::{name}`: {e}",
                native.file.display(),
                native.module
            )
        })
}

fn scalar(t: &ValType) -> Option<Scalar> {
    Some(match t {
        ValType::I32 => Scalar::I32,
        ValType::I64 => Scalar::I64,
        ValType::F32 => Scalar::F32,
        ValType::F64 => Scalar::F64,
        _ => return None,
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
