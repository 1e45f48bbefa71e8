//! Reading both spec forms into [`Args`] and building the ops through the op table.

use super::Pipeline;
use super::args::{Args, Value};
use super::table::{fill_positional, lookup, unknown_op};
use crate::error::SpecError;

/// Longest pipeline text accepted: far above any real pipeline, low enough that parsing a
/// hostile one costs nothing.
const MAX_TEXT: usize = 64 * 1024;
/// Most ops in one pipeline.
const MAX_OPS: usize = 256;

/// `OP ( "/" OP )*` with `OP := NAME ( ":" ARG )*` and `ARG := VALUE | KEY "=" VALUE`.
pub(super) fn parse_text(text: &str) -> Result<Pipeline, SpecError> {
    check_size(text.len())?;
    let text = text.trim();
    if text.is_empty() {
        return Err(SpecError::Empty);
    }
    let mut ops = Vec::new();
    for (i, segment) in text.split('/').enumerate() {
        let segment = segment.trim();
        if segment.is_empty() {
            return Err(SpecError::Syntax(format!(
                "op {} is empty: ops are separated by single slashes, as in resize:800x/sharpen:1",
                i + 1
            )));
        }
        let mut parts = segment.split(':');
        let name = parts.next().unwrap_or_default().trim();
        let def = lookup(name).ok_or_else(|| unknown_op(name))?;
        let mut args = Args::new(def.name, def.usage);
        let mut positional = Vec::new();
        for part in parts {
            match part.split_once('=') {
                Some((key, value)) => args.insert(key.trim(), Value::Text(value.trim().to_string()))?,
                None => positional.push(part),
            }
        }
        fill_positional(def, &positional, &mut args)?;
        ops.push(build(def, args)?);
        if ops.len() > MAX_OPS {
            return Err(SpecError::Syntax(format!("more than {MAX_OPS} ops")));
        }
    }
    Pipeline::new(ops)
}

pub(super) fn parse_json(text: &str) -> Result<Pipeline, SpecError> {
    check_size(text.len())?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| SpecError::Syntax(format!("invalid JSON: {e}")))?;
    parse_json_value(&value)
}

/// `[{"op": NAME, ARG: VALUE, ...}, ...]`.
pub(super) fn parse_json_value(value: &serde_json::Value) -> Result<Pipeline, SpecError> {
    let serde_json::Value::Array(items) = value else {
        return Err(SpecError::Syntax(
            "a JSON pipeline is an array of objects like {\"op\":\"resize\",\"width\":800}".into(),
        ));
    };
    if items.len() > MAX_OPS {
        return Err(SpecError::Syntax(format!("more than {MAX_OPS} ops")));
    }
    let mut ops = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let serde_json::Value::Object(fields) = item else {
            return Err(SpecError::Syntax(format!("op {} is not a JSON object", i + 1)));
        };
        let name = match fields.get("op") {
            Some(serde_json::Value::String(s)) => s.as_str(),
            _ => return Err(SpecError::Syntax(format!("op {} has no \"op\" field naming the op", i + 1))),
        };
        let def = lookup(name).ok_or_else(|| unknown_op(name))?;
        let mut args = Args::new(def.name, def.usage);
        for (key, v) in fields.iter().filter(|(k, _)| k.as_str() != "op") {
            args.insert(key, json_to_value(def.name, key, v)?)?;
        }
        ops.push(build(def, args)?);
    }
    Pipeline::new(ops)
}

fn json_to_value(op: &str, key: &str, v: &serde_json::Value) -> Result<Value, SpecError> {
    use serde_json::Value as J;
    Ok(match v {
        J::String(s) => Value::Text(s.clone()),
        J::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
        J::Bool(b) => Value::Bool(*b),
        J::Null => Value::Null,
        J::Array(items) => {
            Value::List(items.iter().map(|x| x.as_f64()).collect::<Option<Vec<f64>>>().ok_or_else(|| {
                SpecError::Invalid {
                    op: op.into(),
                    arg: key.into(),
                    value: v.to_string(),
                    allowed: "an array of numbers".into(),
                }
            })?)
        }
        J::Object(_) => {
            return Err(SpecError::Invalid {
                op: op.into(),
                arg: key.into(),
                value: v.to_string(),
                allowed: "a number, string or boolean".into(),
            });
        }
    })
}

fn build(def: &super::table::OpDef, mut args: Args) -> Result<super::Op, SpecError> {
    let op = (def.build)(&mut args)?;
    args.finish(def.args)?;
    Ok(op)
}

fn check_size(len: usize) -> Result<(), SpecError> {
    if len > MAX_TEXT {
        return Err(SpecError::Syntax(format!("pipeline of {len} bytes; at most {MAX_TEXT} are accepted")));
    }
    Ok(())
}
