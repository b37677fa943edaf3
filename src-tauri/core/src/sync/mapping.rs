//! Suggests how a connection's ATS stages map onto Talentdeck's pipeline, so a recruiter starts
//! from a mapping to confirm rather than a blank one. In order: the same name; the provider's
//! stage type (Ashby's Offer/Hired/Archived…); words that name a step of hiring (a Talentdeck
//! stage's own name inside the ATS name, then common synonyms); last, the stage's relative
//! position in its pipelines. Suggestions are stored marked as such until a recruiter edits.

use model::{PipelineStage, PipelineStageKind};
use store::AtsStageName;

/// Words in ATS stage names and the default Talentdeck stage they signal, most specific first
/// (so "Offer Call" is an offer, and "Phone Screen Interview" a screen).
const SYNONYMS: &[(&str, &str)] = &[
    ("hired", "Hired"),
    ("archiv", "Rejected"),
    ("reject", "Rejected"),
    ("declin", "Rejected"),
    ("offer", "Offer"),
    ("lead", "Sourced"),
    ("sourc", "Sourced"),
    ("prospect", "Sourced"),
    ("reached out", "Sourced"),
    ("contacted", "Sourced"),
    ("responded", "Sourced"),
    // Steps named after what is reviewed come before the generic "review" of a screen.
    ("portfolio", "Interview"),
    ("reference", "Interview"),
    ("take home", "Interview"),
    ("screen", "Screen"),
    ("review", "Screen"),
    ("applicant", "Screen"),
    ("applied", "Screen"),
    ("new", "Screen"),
    ("interview", "Interview"),
    ("onsite", "Interview"),
    ("on-site", "Interview"),
    ("test", "Interview"),
    ("assessment", "Interview"),
    ("panel", "Interview"),
    ("debrief", "Interview"),
];

/// Ashby's stage types and the kind of Talentdeck stage they are.
fn by_type(ats_type: &str, pipeline: &[PipelineStage]) -> Option<i64> {
    let kind_stage = |k: PipelineStageKind| pipeline.iter().find(|s| s.kind == k).map(|s| s.id);
    let named = |n: &str| pipeline.iter().find(|s| s.name.eq_ignore_ascii_case(n)).map(|s| s.id);
    match ats_type {
        "Hired" => kind_stage(PipelineStageKind::Hired),
        "Archived" => kind_stage(PipelineStageKind::Rejected),
        "Offer" => named("Offer"),
        "Lead" => named("Sourced"),
        "PreInterviewScreen" => named("Screen"),
        _ => None,
    }
}

/// The suggested Talentdeck stage of each ATS stage name (`None`: no idea, left unmapped).
pub fn suggest(names: &[AtsStageName], pipeline: &[PipelineStage]) -> Vec<(String, Option<i64>)> {
    names.iter().map(|n| (n.name.clone(), suggest_one(n, pipeline))).collect()
}

fn suggest_one(n: &AtsStageName, pipeline: &[PipelineStage]) -> Option<i64> {
    let lower = n.name.to_lowercase();
    if let Some(s) = pipeline.iter().find(|s| s.name.to_lowercase() == lower) {
        return Some(s.id);
    }
    if let Some(id) = n.ats_type.as_deref().and_then(|t| by_type(t, pipeline)) {
        return Some(id);
    }
    // A Talentdeck stage's own name inside the ATS name ("Technical Interview" → Interview);
    // the longest wins, so a custom "Phone Screen" stage beats "Screen".
    if let Some(s) = pipeline
        .iter()
        .filter(|s| s.name.chars().count() >= 3 && lower.contains(&s.name.to_lowercase()))
        .max_by_key(|s| s.name.len())
    {
        return Some(s.id);
    }
    for (word, stage) in SYNONYMS {
        if lower.contains(word) {
            if let Some(s) = pipeline.iter().find(|s| s.name.eq_ignore_ascii_case(stage)) {
                return Some(s.id);
            }
        }
    }
    // By position: spread the active stages over the pipeline's length.
    let active: Vec<&PipelineStage> = pipeline.iter().filter(|s| s.kind == PipelineStageKind::Active).collect();
    if active.is_empty() {
        return None;
    }
    let i = (n.relative_position.clamp(0.0, 1.0) * (active.len() - 1) as f64).round() as usize;
    Some(active[i].id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_pipeline() -> Vec<PipelineStage> {
        let kinds = [
            ("Sourced", PipelineStageKind::Active),
            ("Screen", PipelineStageKind::Active),
            ("Interview", PipelineStageKind::Active),
            ("Offer", PipelineStageKind::Active),
            ("Hired", PipelineStageKind::Hired),
            ("Rejected", PipelineStageKind::Rejected),
        ];
        kinds
            .iter()
            .enumerate()
            .map(|(i, (n, k))| PipelineStage { id: i as i64 + 1, name: n.to_string(), position: i as i64, kind: *k })
            .collect()
    }

    fn name(n: &str, t: Option<&str>, pos: f64) -> AtsStageName {
        AtsStageName { name: n.into(), ats_type: t.map(str::to_string), relative_position: pos }
    }

    fn suggested(n: AtsStageName) -> Option<String> {
        let p = default_pipeline();
        suggest(&[n], &p)[0].1.map(|id| p.iter().find(|s| s.id == id).unwrap().name.clone())
    }

    #[test]
    fn names_types_words_and_positions_each_decide_when_the_earlier_rules_cannot() {
        assert_eq!(suggested(name("offer", None, 0.9)).as_deref(), Some("Offer"));
        assert_eq!(suggested(name("Final Round", Some("Hired"), 0.5)).as_deref(), Some("Hired"));
        assert_eq!(suggested(name("Archived", Some("Archived"), 1.0)).as_deref(), Some("Rejected"));
        assert_eq!(suggested(name("Technical Interview", None, 0.5)).as_deref(), Some("Interview"));
        assert_eq!(suggested(name("Reached out", None, 0.1)).as_deref(), Some("Sourced"));
        assert_eq!(suggested(name("Take Home Test", None, 0.5)).as_deref(), Some("Interview"));
        assert_eq!(suggested(name("Portfolio Review", None, 0.5)).as_deref(), Some("Interview"));
        assert_eq!(suggested(name("Application Review", None, 0.1)).as_deref(), Some("Screen"));
        assert_eq!(suggested(name("Stage Three", None, 0.0)).as_deref(), Some("Sourced"));
        assert_eq!(suggested(name("Stage Three", None, 1.0)).as_deref(), Some("Offer"));
    }
}
