//! The pipeline spec: both forms parse to the same pipeline, writing one out and reading it back
//! gives it back (for generated pipelines), and bad specs are refused with messages that name
//! the op, the argument and what is allowed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail by panicking")]

use glint_kernels::codec::Format;
use glint_kernels::spec::{
    Blur, Boxblur, Brightness, Clahe, Contrast, Convolve, Crop, EXAMPLES, Exposure, Filter, Fit, Flip, FormatOp, Gamma,
    Gravity, Hue, Levels, Median, OP_NAMES, Op, Resize, Rotate, Saturation, Sharpen, Temperature,
};
use glint_kernels::{Pipeline, SpecError};
use proptest::prelude::*;

fn arb_op() -> impl Strategy<Value = Op> {
    let fit = prop_oneof![Just(Fit::Inside), Just(Fit::Contain), Just(Fit::Cover), Just(Fit::Fill), Just(Fit::Outside)];
    let filter = prop_oneof![
        Just(Filter::Lanczos3),
        Just(Filter::Mitchell),
        Just(Filter::Bicubic),
        Just(Filter::Bilinear),
        Just(Filter::Nearest)
    ];
    let gravity = prop::sample::select(vec![
        Gravity::Center,
        Gravity::North,
        Gravity::South,
        Gravity::East,
        Gravity::West,
        Gravity::Northeast,
        Gravity::Northwest,
        Gravity::Southeast,
        Gravity::Southwest,
    ]);
    let side = prop::option::of(1u32..=Resize::MAX_SIDE);
    let resize =
        (side.clone(), side, fit, filter, any::<bool>(), any::<bool>(), gravity, prop::option::of(any::<[u8; 4]>()))
            .prop_filter("a side", |(w, h, ..)| w.is_some() || h.is_some())
            .prop_map(|(width, height, fit, filter, linear, enlarge, gravity, bg)| {
                Op::Resize(Resize { width, height, fit, filter, linear, enlarge, gravity, bg })
            });
    let convolve = (1u32..=7)
        .prop_flat_map(|half| {
            let n = (2 * half + 1) as usize;
            (
                Just(n as u32),
                prop::collection::vec(-1000.0f32..1000.0, n * n),
                prop::option::of(0.5f32..500.0),
                -100.0f32..100.0,
            )
        })
        .prop_map(|(size, weights, divisor, bias)| Op::Convolve(Convolve { size, weights, divisor, bias }));
    let format =
        (prop::sample::select(vec![Format::Jpeg, Format::Png, Format::Webp, Format::Avif]), 1u8..=100, any::<bool>())
            .prop_map(|(format, q, flag)| {
                let mut f = FormatOp::new(format);
                if format.is_lossy() {
                    f.quality = Some(q);
                }
                f.progressive = flag && format == Format::Jpeg;
                f.lossless = flag && format == Format::Webp;
                Op::Format(f)
            });
    prop_oneof![
        resize,
        (0u32..5000, 0u32..5000, 1u32..5000, 1u32..5000).prop_map(|(x, y, width, height)| Op::Crop(Crop {
            x,
            y,
            width,
            height
        })),
        prop_oneof![Just(Rotate::R90), Just(Rotate::R180), Just(Rotate::R270)].prop_map(Op::Rotate),
        prop_oneof![Just(Flip::H), Just(Flip::V)].prop_map(Op::Flip),
        (0.001f32..=100.0).prop_map(|sigma| Op::Blur(Blur { sigma })),
        (1u32..=1000).prop_map(|radius| Op::Boxblur(Boxblur { radius })),
        (0.001f32..=100.0, 0.0f32..=10.0, any::<u8>()).prop_map(|(sigma, amount, threshold)| Op::Sharpen(Sharpen {
            sigma,
            amount,
            threshold
        })),
        Just(Op::Edges),
        Just(Op::Emboss),
        convolve,
        (1u32..=7).prop_map(|radius| Op::Median(Median { radius })),
        (-1.0f32..=1.0).prop_map(|amount| Op::Brightness(Brightness { amount })),
        (0.0f32..=10.0).prop_map(|factor| Op::Contrast(Contrast { factor })),
        (-10.0f32..=10.0).prop_map(|ev| Op::Exposure(Exposure { ev })),
        (0.1f32..=10.0).prop_map(|gamma| Op::Gamma(Gamma { gamma })),
        (0.0f32..=10.0).prop_map(|factor| Op::Saturation(Saturation { factor })),
        (-360.0f32..=360.0).prop_map(|degrees| Op::Hue(Hue { degrees })),
        Just(Op::Levels(Levels::Auto)),
        (0u8..=254, 0.1f32..=10.0).prop_flat_map(|(black, gamma)| ((black + 1)..=255)
            .prop_map(move |white| Op::Levels(Levels::Manual { black, white, gamma }))),
        Just(Op::Equalize),
        (1u32..=64, 0.1f32..=100.0).prop_map(|(tiles, clip)| Op::Clahe(Clahe { tiles, clip })),
        (-100.0f32..=100.0).prop_map(|amount| Op::Temperature(Temperature { amount })),
        Just(Op::Grayscale),
        Just(Op::Sepia),
        Just(Op::Invert),
        Just(Op::Enhance),
        format,
    ]
}

fn arb_pipeline() -> impl Strategy<Value = Pipeline> {
    prop::collection::vec(arb_op(), 1..8).prop_map(|ops| {
        // At most one `format`, as the spec requires.
        let mut seen = false;
        let ops: Vec<Op> =
            ops.into_iter().filter(|op| !matches!(op, Op::Format(_)) || !std::mem::replace(&mut seen, true)).collect();
        Pipeline::new(ops).expect("non-empty")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn text_form_round_trips(p in arb_pipeline()) {
        let text = p.to_string();
        let back = Pipeline::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(back, p, "{}", text);
    }

    #[test]
    fn json_form_round_trips(p in arb_pipeline()) {
        let json = p.to_json().to_string();
        let back = Pipeline::parse(&json).map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
        prop_assert_eq!(back, p, "{}", json);
    }

    #[test]
    fn any_text_parses_or_fails_cleanly(s in "\\PC{0,80}") {
        let _ = Pipeline::parse(&s);
    }
}

#[test]
fn every_example_parses_and_every_op_has_one() {
    assert_eq!(EXAMPLES.len(), OP_NAMES.len());
    for (name, example) in OP_NAMES.iter().zip(EXAMPLES) {
        let p = Pipeline::parse(example).unwrap_or_else(|e| panic!("{example}: {e}"));
        assert_eq!(p.ops()[0].name(), *name);
    }
}

#[test]
fn both_forms_give_the_same_pipeline() {
    let text =
        Pipeline::parse("resize:800x:fit=cover:filter=mitchell/sharpen:1.5:amount=2/levels:auto/format:webp:q=70")
            .unwrap();
    let json = Pipeline::parse(
        r#"[{"op":"resize","width":800,"fit":"cover","filter":"mitchell"},{"op":"sharpen","sigma":1.5,"amount":2},
            {"op":"levels","auto":true},{"op":"format","format":"webp","q":70}]"#,
    )
    .unwrap();
    assert_eq!(text, json);
    assert_eq!(
        text.to_string(),
        "resize:800x:fit=cover:filter=mitchell/sharpen:1.5:amount=2/levels:auto/format:webp:q=70"
    );
    // Positional values may also be given by name.
    assert_eq!(Pipeline::parse("blur:sigma=2").unwrap(), Pipeline::parse("blur:2").unwrap());
    assert_eq!(Pipeline::parse("format:jpg").unwrap(), Pipeline::parse("format:jpeg").unwrap());
}

/// The message for a bad spec, which must mention every one of `needles`.
fn refused(spec: &str, needles: &[&str]) -> SpecError {
    let err = Pipeline::parse(spec).expect_err(spec);
    let msg = err.to_string();
    for n in needles {
        assert!(msg.contains(n), "{spec}: message {msg:?} does not mention {n:?}");
    }
    err
}

#[test]
fn bad_specs_name_the_op_the_argument_and_what_is_allowed() {
    refused("", &["empty"]);
    refused("blurr:2", &["unknown op 'blurr'", "blur", "resize"]);
    refused("blur:0", &["blur", "sigma=0", "0 < sigma <= 100"]);
    refused("blur:abc", &["blur", "sigma=abc"]);
    refused("blur", &["blur", "missing sigma", "blur:SIGMA"]);
    refused("blur:2:3", &["blur", "unexpected value '3'"]);
    refused("resize:800x:fit=squash", &["resize", "fit=squash", "inside, contain, cover, fill, outside"]);
    refused("resize:800x:size=2", &["resize", "unknown argument 'size'", "fit"]);
    refused("resize:x", &["resize", "missing width or height"]);
    refused("resize:0x10", &["resize", "width=0", "1 to 65535"]);
    refused("resize:800", &["resize", "WxH"]);
    refused("resize:800x:bg=red", &["resize", "bg=red", "RRGGBB"]);
    refused("median:8", &["median", "radius=8", "1 to 7"]);
    refused("rotate:45", &["rotate", "angle=45", "90, 180 or 270"]);
    refused("flip:x", &["flip", "axis=x", "h, v"]);
    refused("convolve:4x4:1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", &["convolve", "size", "odd"]);
    refused("convolve:3x3:1,2,3", &["convolve", "kernel", "exactly 9 weights"]);
    refused("convolve:3x3:1,1,1,1,1,1,1,1,1:divisor=0", &["convolve", "divisor", "non-zero"]);
    refused("levels:200,100", &["levels", "white", "above the black point 200"]);
    refused("levels:auto:black=3", &["levels", "not both"]);
    refused("format:png:q=80", &["format", "q applies to jpeg, webp and avif"]);
    refused("format:gif", &["format", "jpeg, jpg, png, webp, avif"]);
    refused("format:webp/format:png", &["format given twice"]);
    refused("blur:2//edges", &["op 2 is empty"]);
    refused("sharpen:1:amount=1:amount=2", &["sharpen", "amount given twice"]);
    refused("[{\"op\":\"blur\"}]", &["blur", "missing sigma"]);
    refused("[{\"op\":\"blur\",\"sigma\":\"x\"}]", &["blur", "sigma=x"]);
    refused("[{\"op\":\"blur\",\"sigma\":2,\"radius\":1}]", &["blur", "unknown argument 'radius'"]);
    refused("[{\"sigma\":2}]", &["\"op\""]);
    refused("[1,2]", &["not a JSON object"]);
    refused("[{", &["invalid JSON"]);
}
