//! The named arguments of one op, as read from either spec form, with typed, range-checked
//! getters. The text and JSON parsers both fill an [`Args`]; each op's builder then takes what it
//! needs, so validation and its messages exist once.

use crate::error::SpecError;

/// One argument value as written.
#[derive(Debug, Clone)]
pub(super) enum Value {
    /// From the text form, or a JSON string.
    Text(String),
    /// A JSON number.
    Num(f64),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON array of numbers (`convolve` weights).
    List(Vec<f64>),
    /// JSON `null`: the argument is left at its default.
    Null,
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(s) => write!(f, "{s}"),
            Value::Num(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::List(l) => {
                let parts: Vec<String> = l.iter().map(|v| v.to_string()).collect();
                write!(f, "{}", parts.join(","))
            }
            Value::Null => write!(f, "null"),
        }
    }
}

/// The arguments of one op, consumed by its builder.
pub(super) struct Args {
    op: &'static str,
    usage: &'static str,
    entries: Vec<(String, Value)>,
}

impl Args {
    pub(super) fn new(op: &'static str, usage: &'static str) -> Self {
        Args { op, usage, entries: Vec::new() }
    }

    pub(super) fn op(&self) -> &'static str {
        self.op
    }

    /// Adds an argument; the same name twice is an error.
    pub(super) fn insert(&mut self, name: &str, value: Value) -> Result<(), SpecError> {
        if self.entries.iter().any(|(n, _)| n == name) {
            return Err(SpecError::Duplicate { op: self.op.into(), arg: name.into() });
        }
        self.entries.push((name.to_string(), value));
        Ok(())
    }

    /// Removes and returns an argument; `null` counts as absent.
    pub(super) fn take(&mut self, name: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(n, _)| n == name)?;
        match self.entries.remove(i).1 {
            Value::Null => None,
            v => Some(v),
        }
    }

    /// Fails on any argument no getter asked for.
    pub(super) fn finish(self, allowed: &[&str]) -> Result<(), SpecError> {
        if let Some((name, _)) = self.entries.into_iter().next() {
            let allowed = if allowed.is_empty() { "no arguments".to_string() } else { allowed.join(", ") };
            return Err(SpecError::UnknownArg { op: self.op.into(), arg: name, allowed });
        }
        Ok(())
    }

    pub(super) fn missing(&self, arg: &str) -> SpecError {
        SpecError::Missing { op: self.op.into(), arg: arg.into(), usage: self.usage.into() }
    }

    pub(super) fn invalid(&self, arg: &str, value: &Value, allowed: impl Into<String>) -> SpecError {
        SpecError::Invalid { op: self.op.into(), arg: arg.into(), value: value.to_string(), allowed: allowed.into() }
    }

    /// A real number in `min..=max` (or `min < v` when `open_min`).
    pub(super) fn float(&mut self, name: &str, min: f32, max: f32, open_min: bool) -> Result<Option<f32>, SpecError> {
        let Some(v) = self.take(name) else { return Ok(None) };
        let range = if open_min {
            format!("a number with {min} < {name} <= {max}")
        } else {
            format!("a number from {min} to {max}")
        };
        let x = match &v {
            Value::Text(s) => s.trim().parse::<f32>().ok(),
            Value::Num(n) => Some(*n as f32),
            _ => None,
        };
        match x {
            Some(x) if x.is_finite() && x <= max && (x > min || (!open_min && x == min)) => Ok(Some(x)),
            _ => Err(self.invalid(name, &v, range)),
        }
    }

    /// A whole number in `min..=max`.
    pub(super) fn int(&mut self, name: &str, min: u32, max: u32) -> Result<Option<u32>, SpecError> {
        let Some(v) = self.take(name) else { return Ok(None) };
        let x = match &v {
            Value::Text(s) => s.trim().parse::<i64>().ok(),
            Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(*n as i64),
            _ => None,
        };
        match x {
            Some(x) if x >= i64::from(min) && x <= i64::from(max) => Ok(Some(x as u32)),
            _ => Err(self.invalid(name, &v, format!("a whole number from {min} to {max}"))),
        }
    }

    /// `true` or `false`.
    pub(super) fn boolean(&mut self, name: &str) -> Result<Option<bool>, SpecError> {
        let Some(v) = self.take(name) else { return Ok(None) };
        match &v {
            Value::Bool(b) => Ok(Some(*b)),
            Value::Text(s) if s == "true" => Ok(Some(true)),
            Value::Text(s) if s == "false" => Ok(Some(false)),
            _ => Err(self.invalid(name, &v, "true or false")),
        }
    }

    /// One of a fixed set of words.
    pub(super) fn choice<T: Copy>(&mut self, name: &str, options: &[(&str, T)]) -> Result<Option<T>, SpecError> {
        let Some(v) = self.take(name) else { return Ok(None) };
        if let Value::Text(s) = &v
            && let Some((_, t)) = options.iter().find(|(word, _)| word == s)
        {
            return Ok(Some(*t));
        }
        let words: Vec<&str> = options.iter().map(|(w, _)| *w).collect();
        Err(self.invalid(name, &v, format!("one of {}", words.join(", "))))
    }

    /// A comma-separated list (text) or an array (JSON) of finite numbers.
    pub(super) fn numbers(&mut self, name: &str) -> Result<Option<Vec<f32>>, SpecError> {
        let Some(v) = self.take(name) else { return Ok(None) };
        let parsed: Option<Vec<f32>> = match &v {
            Value::Text(s) => s.split(',').map(|p| p.trim().parse::<f32>().ok()).collect(),
            Value::List(l) => Some(l.iter().map(|x| *x as f32).collect()),
            Value::Num(n) => Some(vec![*n as f32]),
            _ => None,
        };
        match parsed {
            Some(list) if list.iter().all(|x| x.is_finite()) => Ok(Some(list)),
            _ => Err(self.invalid(name, &v, "a comma-separated list of numbers")),
        }
    }

    /// A raw string argument.
    pub(super) fn text(&mut self, name: &str) -> Result<Option<String>, SpecError> {
        let Some(v) = self.take(name) else { return Ok(None) };
        match v {
            Value::Text(s) => Ok(Some(s)),
            other => Err(self.invalid(name, &other, "a string")),
        }
    }
}
