//! Entity keys and reads: one entity per (type, normalised canonical name) across the
//! whole archive, with the aliases and roles every article added.

use sha2::{Digest, Sha256};

/// The form two names must share to be the same entity: case-folded, whitespace
/// collapsed, and dots dropped ("U.S." and "US" agree).
pub fn normalise_name(name: &str) -> String {
    let folded: String = name
        .chars()
        .filter(|c| *c != '.')
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The public id of an entity: `e_` + a hash of its type and normalised name, so the same
/// entity has the same id in every database.
pub fn entity_id(kind: &str, name: &str) -> String {
    let digest = Sha256::digest(format!("{kind}\u{0}{}", normalise_name(name)).as_bytes());
    let hex: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("e_{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differing_in_case_space_and_dots_share_a_key() {
        assert_eq!(normalise_name("  Jens   STOLTENBERG "), "jens stoltenberg");
        assert_eq!(normalise_name("U.S."), normalise_name("us"));
    }

    #[test]
    fn entity_ids_are_stable_and_typed() {
        assert_eq!(
            entity_id("person", "Jens Stoltenberg"),
            entity_id("person", "jens  stoltenberg")
        );
        assert_ne!(
            entity_id("person", "Jordan"),
            entity_id("location", "Jordan")
        );
        assert!(entity_id("person", "X").starts_with("e_"));
    }
}
