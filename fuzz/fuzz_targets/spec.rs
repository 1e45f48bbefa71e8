//! The pipeline spec parser, both forms. Any input may be refused, none may panic; whatever
//! parses must come back equal from its canonical text form and from its JSON form.

#![no_main]

use glint_kernels::Pipeline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Pipelines arrive as text (a command-line argument, a URL path, a query, JSON): a
    // caller holding bytes that are not UTF-8 never gets as far as the parser.
    let Ok(text) = std::str::from_utf8(data) else { return };
    // `parse` takes the JSON form when the text starts with `[`, the string form otherwise.
    let Ok(pipeline) = Pipeline::parse(text) else { return };

    let canonical = pipeline.to_string();
    match Pipeline::parse(&canonical) {
        Ok(back) => assert_eq!(back, pipeline, "{text:?} printed as {canonical:?} reads back differently"),
        Err(e) => panic!("{text:?} printed as {canonical:?}, which does not parse: {e}"),
    }
    // Printing is a fixed point: the canonical form of the canonical form is itself.
    assert_eq!(Pipeline::parse(&canonical).map(|p| p.to_string()).as_deref(), Ok(canonical.as_str()));

    let json = pipeline.to_json();
    match Pipeline::parse(&json.to_string()) {
        Ok(back) => assert_eq!(back, pipeline, "{text:?} as JSON {json} reads back differently"),
        Err(e) => panic!("{text:?} as JSON {json}, which does not parse: {e}"),
    }
});
