//! Turning a panic into an error. glint must never show a panic message for any input: a bug
//! triggered by one input (ours or a decoder's) becomes that input's error, and the process
//! goes on with the others.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, Once};

thread_local! {
    /// The message of the last panic on this thread, captured by the hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The last panic on any thread: a panic on a worker thread (rayon) reaches the caller's
/// thread without its message.
static LAST_ANYWHERE: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the default panic hook (which prints to stderr) with one that records the message
/// for [`catch`]. Idempotent.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        panic::set_hook(Box::new(|info| {
            let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = info.payload().downcast_ref::<String>() {
                s.clone()
            } else {
                "unknown panic".to_string()
            };
            let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            let text = format!("{msg}{at}");
            if let Ok(mut last) = LAST_ANYWHERE.lock() {
                *last = Some(text.clone());
            }
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
        }));
    });
}

/// Runs `f`; a panic inside it comes back as `Err` with the panic's message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install();
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .or_else(|| LAST_ANYWHERE.lock().ok().and_then(|mut l| l.take()))
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_errors() {
        let r: Result<(), String> = catch(|| panic!("boom"));
        let msg = r.unwrap_err();
        assert!(msg.contains("boom"), "{msg}");
        assert_eq!(catch(|| 7), Ok(7));
    }
}
