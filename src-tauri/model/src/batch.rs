//! A page of normalized records as a connector returns it and the store writes it, atomically.

use crate::{Application, Attachment, Job, JobDetails, Resource, Stage, StageChange, Talent};

/// A remote record that no longer exists in the ATS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub resource: Resource,
    pub remote_id: String,
}

/// One page worth of records (of any resources), written atomically.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub jobs: Vec<Job>,
    /// New details of jobs (by remote id) read apart from the jobs themselves (Greenhouse job
    /// posts change without their job): written after `jobs`, onto jobs already stored, and
    /// touching nothing else of them.
    pub job_details: Vec<(String, JobDetails)>,
    pub stages: Vec<Stage>,
    pub talents: Vec<Talent>,
    pub applications: Vec<Application>,
    pub stage_history: Vec<StageChange>,
    pub attachments: Vec<Attachment>,
    /// Talents whose complete file list is in `attachments` (Ashby: a candidate carries its
    /// files); any other file stored for them is gone from the ATS and is removed.
    pub files_of_talents: Vec<String>,
    pub deletions: Vec<Deletion>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
            && self.job_details.is_empty()
            && self.stages.is_empty()
            && self.talents.is_empty()
            && self.applications.is_empty()
            && self.stage_history.is_empty()
            && self.attachments.is_empty()
            && self.files_of_talents.is_empty()
            && self.deletions.is_empty()
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
            + self.stages.len()
            + self.talents.len()
            + self.applications.len()
            + self.stage_history.len()
            + self.attachments.len()
    }
}
