//! Mangled real files (truncated, bytes flipped, random text) never make an importer panic: each answers a catalog
//! or an error with a place inside the input.

use proptest::prelude::*;
use rolegate_import::{Format, import_str};

const FILES: [(&str, Format); 4] = [
    ("roles/xrmmockup/XrmMockupTestUser.xml", Format::XrmMockup),
    (
        "roles/dataverse-solution/Automation Project Viewer.xml",
        Format::DataverseXml,
    ),
    ("seeds/004_16b379479e74a672.txt", Format::Markdown),
    ("seeds/000_384ec4515b4fb76a.txt", Format::Markdown),
];

fn text(i: usize) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/").to_owned() + FILES[i].0;
    std::fs::read_to_string(path).unwrap()
}

fn check(input: &str, format: Format) {
    if let Err(e) = import_str(input, "fuzz", format) {
        let lines = input.lines().count().max(1);
        if let Some(d) = e.diagnostic() {
            assert!(
                d.line >= 1 && d.line <= lines + 1,
                "line {} outside the input: {d}",
                d.line
            );
            assert!(d.column >= 1);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn truncations_do_not_panic(file in 0..FILES.len(), cut in 0.0f64..1.0) {
        let text = text(file);
        let mut at = (text.len() as f64 * cut) as usize;
        while !text.is_char_boundary(at) { at -= 1; }
        for format in Format::ALL {
            check(&text[..at], format);
        }
    }

    #[test]
    fn flipped_characters_do_not_panic(file in 0..FILES.len(), edits in prop::collection::vec((0.0f64..1.0, any::<char>()), 1..8)) {
        let mut chars: Vec<char> = text(file).chars().collect();
        for (pos, c) in edits {
            let i = ((chars.len() as f64) * pos) as usize;
            if i < chars.len() { chars[i] = c; }
        }
        let mangled: String = chars.into_iter().collect();
        check(&mangled, FILES[file].1);
    }

    #[test]
    fn random_text_does_not_panic(input in "\\PC{0,200}", format in 0..3usize) {
        check(&input, Format::ALL[format]);
    }

    #[test]
    fn xml_shaped_noise_does_not_panic(input in "(<[A-Za-z:]{1,8}( [a-z]{1,5}=\"[A-Za-z]{0,6}\")?/?>|</[A-Za-z:]{1,8}>|[a-z ]{0,5}|&[a-z#0-9]{0,4};){0,30}") {
        check(&input, Format::DataverseXml);
        check(&input, Format::XrmMockup);
    }
}
