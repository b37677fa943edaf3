//! The use cases, shared by the desktop shell and the CLI: both front doors call these and
//! only render the results.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::model::{JobRow, Provider, TalentRow};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::status::{self, ConnectionStatus};
use crate::store::{ExportKind, LogEntry, NewConnection, Store};
use crate::vault::{Credential, CredentialKind, Vault};

/// The platform's app-data folder (the same one the desktop window uses).
pub fn default_data_dir() -> Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|d| d.data_dir().join(crate::vault::SERVICE))
        .ok_or_else(|| Error::DataDir {
            path: "(none)".into(),
            reason: "no home folder is known for this user; pass --data-dir".into(),
        })
}

pub struct App {
    data_dir: PathBuf,
    store: Mutex<Store>,
    vault: Vault,
    /// In-process sandbox ATSs, by connection id; dropped (and stopped) with the app.
    sandboxes: tokio::sync::Mutex<HashMap<i64, Sandbox>>,
}

impl App {
    pub fn open(data_dir: &Path) -> Result<App> {
        let store = Store::open_dir(data_dir)?;
        Ok(App {
            data_dir: data_dir.to_path_buf(),
            store: Mutex::new(store),
            vault: Vault::new(),
            sandboxes: tokio::sync::Mutex::new(HashMap::new()),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The store, locked. Hold it briefly: the UI and sync share it.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back), so
        // a poisoned lock is safe to keep using.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn status(&self, now: DateTime<Utc>) -> Result<Vec<ConnectionStatus>> {
        status::all(&self.store(), now)
    }

    pub fn list_jobs(&self, connection_id: Option<i64>, include_archived: bool) -> Result<Vec<JobRow>> {
        self.store().list_jobs(connection_id, include_archived)
    }

    pub fn search_talents(&self, connection_id: Option<i64>, query: &str, limit: u32) -> Result<Vec<TalentRow>> {
        self.store().search_talents(connection_id, query, limit.clamp(1, 1000))
    }

    pub fn log(&self, connection: Option<&str>, limit: u32) -> Result<Vec<LogEntry>> {
        let store = self.store();
        let cid = connection.map(|n| store.require_connection(n)).transpose()?.map(|c| c.id);
        store.log_entries(cid, limit)
    }

    pub fn export(
        &self,
        kind: ExportKind,
        connection: Option<&str>,
        emit: impl FnMut(serde_json::Value) -> Result<()>,
    ) -> Result<()> {
        self.store().export(kind, connection, emit)
    }

    /// "Try with a sandbox ATS": starts the built-in simulator of `provider` on a loopback
    /// port and connects to it like to a real account.
    pub async fn start_sandbox(&self, provider: Provider, now: DateTime<Utc>) -> Result<ConnectionStatus> {
        let cfg = SandboxConfig::new(provider);
        let seed = cfg.seed;
        let sandbox = Sandbox::start(cfg).await?;
        let info = sandbox.info().clone();
        let name = {
            let store = self.store();
            let base = format!("Sandbox {}", provider.display_name());
            let mut name = base.clone();
            let mut n = 2;
            while store.connection_by_name(&name)?.is_some() {
                name = format!("{base} {n}");
                n += 1;
            }
            name
        };
        let mut settings = sandbox_settings(&info.credentials, seed);
        let vault_key = new_vault_key();
        settings["vault_key"] = vault_key.clone().into();
        let conn = self.store().create_connection(
            &NewConnection {
                name,
                provider,
                base_url: info.base_url.clone(),
                auth_url: info.auth_url.clone(),
                settings,
                sandbox: true,
            },
            now,
        )?;
        self.vault.hold_in_memory(&vault_key, sandbox_credential(provider, &info.credentials)?);
        self.sandboxes.lock().await.insert(conn.id, sandbox);
        status::of(&self.store(), conn, now)
    }

    /// Restarts the simulators behind existing sandbox connections (they live in-process, so a
    /// new app start needs new ones), pointing each connection at its new address.
    pub async fn resume_sandboxes(&self, now: DateTime<Utc>) -> Result<()> {
        let conns: Vec<_> = self.store().connections()?.into_iter().filter(|c| c.sandbox).collect();
        for c in conns {
            if self.sandboxes.lock().await.contains_key(&c.id) {
                continue;
            }
            let seed = cfg_seed(&c.settings);
            let mut cfg = SandboxConfig::new(c.provider);
            cfg.seed = seed;
            let sandbox = Sandbox::start(cfg).await?;
            let info = sandbox.info().clone();
            let vault_key = c.settings.get("vault_key").and_then(|k| k.as_str()).unwrap_or_default().to_string();
            let mut settings = sandbox_settings(&info.credentials, seed);
            settings["vault_key"] = vault_key.clone().into();
            self.store().update_connection_endpoint(c.id, &info.base_url, info.auth_url.as_deref(), &settings, now)?;
            self.vault.hold_in_memory(&vault_key, sandbox_credential(c.provider, &info.credentials)?);
            self.sandboxes.lock().await.insert(c.id, sandbox);
        }
        Ok(())
    }
}

fn cfg_seed(settings: &serde_json::Value) -> u64 {
    settings.get("seed").and_then(|s| s.as_u64()).unwrap_or(SandboxConfig::new(Provider::Greenhouse).seed)
}

/// The non-secret settings of a sandbox connection (the Greenhouse client and user ids are
/// settings for real connections too).
fn sandbox_settings(credentials: &serde_json::Value, seed: u64) -> serde_json::Value {
    let mut s = serde_json::json!({ "seed": seed });
    for k in ["client_id", "user_id"] {
        if let Some(v) = credentials.get(k) {
            s[k] = v.clone();
        }
    }
    s
}

fn sandbox_credential(provider: Provider, credentials: &serde_json::Value) -> Result<Credential> {
    let (kind, field) = match provider {
        Provider::Greenhouse => (CredentialKind::ClientSecret, "client_secret"),
        Provider::Lever | Provider::Ashby => (CredentialKind::ApiKey, "api_key"),
    };
    let secret = credentials
        .get(field)
        .and_then(|s| s.as_str())
        .ok_or_else(|| Error::Internal(format!("the sandbox did not report its {field}")))?;
    Ok(Credential::new(kind, SecretString::from(secret.to_string())))
}

/// A stable, random name for a connection's keychain entry.
pub fn new_vault_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    format!("connection-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}
