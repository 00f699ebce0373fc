//! Did-you-mean suggestions.

/// The candidate closest to `input`, if any is close enough to be worth suggesting.
pub fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let needle = input.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let hay = candidate.to_lowercase();
        let score = strsim::jaro_winkler(&needle, &hay)
            .max(strsim::normalized_damerau_levenshtein(&needle, &hay));
        // A candidate that contains the input (or the reverse) is a strong hint for long names.
        let contains = needle.len() >= 4 && (hay.contains(&needle) || needle.contains(&hay));
        let score = if contains { score.max(0.85) } else { score };
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8).map(|(_, c)| c)
}

/// `did you mean `x`?`, or a fallback listing when nothing is close.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(input, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_name() {
        let names = ["msdyn_liveworkstream", "msdyn_presence", "queue"];
        assert_eq!(
            closest("msdyn_livworkstream", names),
            Some("msdyn_liveworkstream")
        );
        assert_eq!(closest("Queu", names), Some("queue"));
        assert_eq!(closest("zzzz", names), None);
    }
}
