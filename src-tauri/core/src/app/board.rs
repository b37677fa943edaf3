//! The job page: a job's header and its applications as a board over Talentdeck's pipeline,
//! and what the stage-mapping table needs beyond `two_way` (clearing a mapping, the history).

use chrono::{DateTime, Utc};

use super::App;
use model::error::{Error, Result};
use model::JobBoard;
use store::MappingEdit;

impl App {
    /// Job `job` (its remote id) of connection `connection_id`, with its board.
    pub fn job_board(&self, connection_id: i64, job: &str) -> Result<JobBoard> {
        let st = self.reader();
        let row = st.list_jobs(Some(connection_id), true)?.into_iter().find(|j| j.remote_id == job);
        let Some(job_row) = row else {
            return Err(Error::NotFound(format!("there is no job {job:?} in this connection (sync first?)")));
        };
        let (description_html, compensation) = st.job_details(connection_id, job)?;
        Ok(JobBoard {
            stages: st.pipeline()?,
            cards: st.board_cards(connection_id, job)?,
            job: job_row,
            description_html,
            compensation,
        })
    }

    /// Leaves an ATS stage name unmapped (connection-wide, or for one job): its applications
    /// show as "Unmapped" and no move lands there. Recorded and undoable like any mapping edit.
    pub fn clear_mapping(
        &self,
        connection_id: i64,
        ats_stage: &str,
        job: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut st = self.store();
        st.connection(connection_id)?;
        st.set_mapping(connection_id, job, ats_stage, None, false, &super::two_way::who(), now)
    }

    /// The connection's mapping edits not undone, newest first.
    pub fn mapping_history(&self, connection_id: i64, limit: u32) -> Result<Vec<MappingEdit>> {
        let st = self.reader();
        st.connection(connection_id)?;
        st.mapping_edits(connection_id, limit.clamp(1, 500))
    }
}
