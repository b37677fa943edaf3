//! The only place a secret is read or written.
//!
//! Secrets live in the OS keychain (macOS Keychain, Windows Credential Manager, the Secret
//! Service on Linux) under one entry per connection, keyed by the connection's stable
//! `vault_key`. Credentials of the built-in sandbox ATS are generated on each start and are
//! held in memory only: they protect nothing and must not litter the keychain.
//! There is no plaintext fallback: without a keychain, connecting fails with what to install.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use model::error::{Error, Result};

/// The keychain "service" all Talentdeck entries are filed under.
pub const SERVICE: &str = "app.talentdeck.desktop";

/// What is stored for a connection. Shaped so an OAuth token pair with an expiry fits later
/// without changing how entries are stored.
#[derive(Clone)]
pub struct Credential {
    pub kind: CredentialKind,
    pub secret: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    ApiKey,
    ClientSecret,
    OauthToken,
}

impl Credential {
    pub fn new(kind: CredentialKind, secret: SecretString) -> Credential {
        Credential { kind, secret, refresh_token: None, expires_at: None }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential").field("kind", &self.kind).field("secret", &"[redacted]").finish()
    }
}

/// The serialized form inside the keychain entry.
#[derive(Serialize, Deserialize)]
struct Stored {
    kind: CredentialKind,
    secret: String,
    refresh_token: Option<String>,
    expires_at: Option<DateTime<Utc>>,
}

pub struct Vault {
    memory: Mutex<HashMap<String, Credential>>,
}

impl Default for Vault {
    fn default() -> Self {
        Vault::new()
    }
}

fn keychain_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => Error::KeychainUnavailable(format!(
            "the OS keychain is not available ({e}). Talentdeck keeps ATS credentials only in the keychain. \
             On Linux, install and unlock a Secret Service provider (e.g. `sudo apt install gnome-keyring` and log in \
             to a desktop session); on macOS and Windows the system keychain is used"
        )),
        other => Error::KeychainUnavailable(format!("the OS keychain refused the request: {other}")),
    }
}

impl Vault {
    pub fn new() -> Vault {
        Vault { memory: Mutex::new(HashMap::new()) }
    }

    fn entry(key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, key).map_err(keychain_error)
    }

    /// Stores (or replaces) the credential of `key` in the OS keychain.
    pub fn put(&self, key: &str, c: &Credential) -> Result<()> {
        let stored = Stored {
            kind: c.kind,
            secret: c.secret.expose_secret().to_string(),
            refresh_token: c.refresh_token.as_ref().map(|s| s.expose_secret().to_string()),
            expires_at: c.expires_at,
        };
        let json = SecretString::from(serde_json::to_string(&stored)?);
        Vault::entry(key)?.set_password(json.expose_secret()).map_err(keychain_error)
    }

    /// Holds a credential for this process only (sandbox connections).
    pub fn hold_in_memory(&self, key: &str, c: Credential) {
        self.memory.lock().expect("vault lock").insert(key.to_string(), c);
    }

    /// The credential of `key`, from memory or the keychain; `None` if there is none.
    pub fn get(&self, key: &str) -> Result<Option<Credential>> {
        if let Some(c) = self.memory.lock().expect("vault lock").get(key) {
            return Ok(Some(c.clone()));
        }
        match Vault::entry(key)?.get_password() {
            Ok(json) => {
                let json = SecretString::from(json);
                let s: Stored = serde_json::from_str(json.expose_secret()).map_err(|_| {
                    Error::KeychainUnavailable(format!("the keychain entry {key:?} is not one Talentdeck wrote"))
                })?;
                Ok(Some(Credential {
                    kind: s.kind,
                    secret: SecretString::from(s.secret),
                    refresh_token: s.refresh_token.map(SecretString::from),
                    expires_at: s.expires_at,
                }))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    /// Removes the credential of `key` everywhere. Removing an absent entry is not an error.
    pub fn delete(&self, key: &str) -> Result<()> {
        if self.memory.lock().expect("vault lock").remove(key).is_some() {
            return Ok(());
        }
        match Vault::entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}
