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

/// Where credentials are kept between runs: the OS keychain in the product. Behind a trait so
/// tests that are about something else can keep them in memory instead (the keychain's own
/// tests use the real one).
pub trait Keychain: Send + Sync {
    fn set(&self, key: &str, value: &SecretString) -> Result<()>;
    fn get(&self, key: &str) -> Result<Option<SecretString>>;
    /// Removing an absent entry is not an error.
    fn delete(&self, key: &str) -> Result<()>;
}

/// The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux).
pub struct OsKeychain;

impl OsKeychain {
    fn entry(key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, key).map_err(keychain_error)
    }
}

impl Keychain for OsKeychain {
    fn set(&self, key: &str, value: &SecretString) -> Result<()> {
        OsKeychain::entry(key)?.set_password(value.expose_secret()).map_err(keychain_error)
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>> {
        match OsKeychain::entry(key)?.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<()> {
        match OsKeychain::entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// A keychain that lives as long as the process: for tests about something else than the keychain.
#[derive(Default)]
pub struct MemoryKeychain(Mutex<HashMap<String, SecretString>>);

impl Keychain for MemoryKeychain {
    fn set(&self, key: &str, value: &SecretString) -> Result<()> {
        self.0.lock().expect("keychain lock").insert(key.to_string(), value.clone());
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>> {
        Ok(self.0.lock().expect("keychain lock").get(key).cloned())
    }

    fn delete(&self, key: &str) -> Result<()> {
        self.0.lock().expect("keychain lock").remove(key);
        Ok(())
    }
}

pub struct Vault {
    memory: Mutex<HashMap<String, Credential>>,
    keychain: Box<dyn Keychain>,
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
    /// The product's vault: the OS keychain.
    pub fn new() -> Vault {
        Vault::with_keychain(Box::new(OsKeychain))
    }

    /// A vault whose keychain lives as long as the process (tests about something else).
    pub fn in_memory() -> Vault {
        Vault::with_keychain(Box::new(MemoryKeychain::default()))
    }

    pub fn with_keychain(keychain: Box<dyn Keychain>) -> Vault {
        Vault { memory: Mutex::new(HashMap::new()), keychain }
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
        self.keychain.set(key, &json)
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
        match self.keychain.get(key)? {
            Some(json) => {
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
            None => Ok(None),
        }
    }

    /// Removes the credential of `key` everywhere. Removing an absent entry is not an error.
    pub fn delete(&self, key: &str) -> Result<()> {
        if self.memory.lock().expect("vault lock").remove(key).is_some() {
            return Ok(());
        }
        self.keychain.delete(key)
    }
}
