//! The talent profile: what is stored about a talent, their notes read lazily from the ATS
//! (cached for reading offline), and the provider's web address of the talent or an application.

use chrono::{DateTime, Utc};

use super::App;
use model::error::Result;
use model::{TalentNotes, TalentProfile};

impl App {
    pub fn talent_profile(&self, talent_id: i64, now: DateTime<Utc>) -> Result<TalentProfile> {
        self.reader().talent_profile(talent_id, now)
    }

    /// The talent's notes. Without `refresh`, the cached copy (instant, no request). With it, the
    /// ATS is read and the cache replaced; when the ATS cannot be read (offline, refused, no
    /// credential) the cached notes come back marked `stale` with the reason: never an error
    /// that would hide what was read before.
    pub async fn talent_notes(&self, talent_id: i64, refresh: bool, now: DateTime<Utc>) -> Result<TalentNotes> {
        let (cid, talent) = self.reader().talent_ref(talent_id)?;
        if !refresh {
            return self.reader().cached_notes(cid, &talent);
        }
        let conn = self.reader().connection(cid)?;
        let application = self.reader().latest_application(cid, &talent)?;
        let read = async {
            if conn.state.awaits_credential() {
                return Err(model::error::Error::Unauthorized(format!(
                    "{:?} needs reconnecting before its notes can be read",
                    conn.name
                )));
            }
            self.connector_for(&conn)?.notes(&talent, application.as_deref()).await
        };
        match read.await {
            Ok(notes) => {
                let mut store = self.store();
                store.replace_notes(cid, &talent, &notes, now)?;
                store.cached_notes(cid, &talent)
            }
            Err(e) => {
                tracing::warn!(talent = talent_id, error = %e, "could not read the talent's notes; showing the cached ones");
                let mut cached = self.reader().cached_notes(cid, &talent)?;
                cached.stale = true;
                cached.error = Some(e.to_string());
                Ok(cached)
            }
        }
    }

    /// The provider's web page of talent `talent_id` or of one of their applications (the
    /// shell opens it with the system browser).
    pub fn ats_url(&self, talent_id: i64, application: Option<&str>) -> Result<String> {
        self.reader().ats_url(talent_id, application)
    }
}
