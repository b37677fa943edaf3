//! The IPC contract made real: `ipc/contract.rs` declares every command and event once; the
//! `contract!` macro below turns that declaration into
//! - [`COMMANDS`], the names Tauri grants (`build.rs` reads the same file for its permissions);
//! - the `#[tauri::command]` functions, which call the shell's implementation of the same name
//!   with exactly the declared argument and answer types (the compiler checks the shell against
//!   the contract), arguments named in snake_case like every field that crosses;
//! - [`Event`], the only way the shell emits anything;
//! - [`typescript`], the UI's side of it (`ui/src/lib/bindings/ipc.ts`).

#[cfg(test)]
use std::any::TypeId;

use serde::Serialize;
#[cfg(test)]
use ts_rs::Config;
use ts_rs::TS;

use talentdeck::app::{ConnectInput, ReconnectInput, Suggestion};
use talentdeck::model::{
    JobBoard, JobRow, OutboxRow, PipelineStage, Provider, RejectionReason, TalentNotes, TalentProfile, TalentRow,
};
use talentdeck::status::ConnectionStatus;
use talentdeck::store::{DuplicateOf, DuplicatePair, JobPipeline, LogEntry, MappingEdit, MappingRow, SyncRun};

/// Payload of `models_changed`: the local data of this connection changed.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ModelsChanged {
    #[ts(type = "number")]
    pub connection_id: i64,
}

/// Bytes answered as they are: an `ArrayBuffer` in the UI, not a JSON array of numbers.
#[cfg_attr(not(feature = "desktop"), allow(dead_code))]
pub struct RawBytes(pub Vec<u8>);

impl TS for RawBytes {
    type WithoutGenerics = RawBytes;
    type OptionInnerType = RawBytes;

    fn name(_: &ts_rs::Config) -> String {
        "ArrayBuffer".into()
    }

    fn inline(cfg: &ts_rs::Config) -> String {
        Self::name(cfg)
    }
}

#[cfg(feature = "desktop")]
impl tauri::ipc::IpcResponse for RawBytes {
    fn body(self) -> tauri::Result<tauri::ipc::InvokeResponseBody> {
        tauri::ipc::Response::new(self.0).body()
    }
}

/// One argument or answer as TypeScript spells it (`()` is `void`; 64-bit ids are numbers).
#[cfg(test)]
fn ts_type<T: TS + 'static + ?Sized>(cfg: &Config) -> String {
    if TypeId::of::<T>() == TypeId::of::<()>() {
        "void".into()
    } else {
        T::name(cfg)
    }
}

/// The exported types a TypeScript type names (every capitalised name but TypeScript's own), to
/// import them; each lives in its own file next to this one.
#[cfg(test)]
fn ts_imports(ty: &str, into: &mut std::collections::BTreeSet<String>) {
    let names =
        ty.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()));
    into.extend(names.filter(|w| !matches!(*w, "Array" | "ArrayBuffer" | "Record" | "Promise")).map(str::to_string));
}

#[cfg(test)]
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
fn js_doc(lines: &[&str], indent: &str) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let body: String = lines.iter().map(|l| format!("{indent} *{}\n", l.trim_end())).collect();
    format!("{indent}/**\n{body}{indent} */\n")
}

/// One command as the generator sees it.
#[cfg(test)]
struct Command {
    name: &'static str,
    doc: &'static [&'static str],
    args: Vec<(&'static str, String)>,
    answer: String,
}

#[cfg(test)]
fn render(
    commands: &[Command],
    events: &[(&'static str, &'static [&'static str], String)],
    imports: &std::collections::BTreeSet<String>,
) -> String {
    let mut ts = String::from(
        "// Generated from src-tauri/ipc/contract.rs by `cargo test`: do not edit (CI fails when it drifts).\n\n",
    );
    for name in imports {
        ts += &format!("import type {{ {name} }} from './{name}';\n");
    }
    ts += "\n/** The core's commands, as the UI calls them. Every one rejects with an `ErrorPayload`. */\nexport interface Commands {\n";
    for c in commands {
        ts += &js_doc(c.doc, "  ");
        let params: Vec<String> = c.args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
        ts += &format!("  {}({}): Promise<{}>;\n", camel(c.name), params.join(", "), c.answer);
    }
    ts +=
        "}\n\n/** Sends one command to the core; `bindCommands` gives it the contract's names and argument names. */\n";
    ts += "export type Invoke = (command: string, args: Record<string, unknown>) => Promise<unknown>;\n\n";
    ts += "export function bindCommands(invoke: Invoke): Commands {\n  return {\n";
    for c in commands {
        let params: Vec<String> = c.args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
        let fields: Vec<String> = c.args.iter().map(|(n, _)| format!("{n}: {}", camel(n))).collect();
        let fields = if fields.is_empty() { "{}".to_string() } else { format!("{{ {} }}", fields.join(", ")) };
        ts += &format!(
            "    {}: ({}) => invoke('{}', {}) as Promise<{}>,\n",
            camel(c.name),
            params.join(", "),
            c.name,
            fields,
            c.answer
        );
    }
    ts += "  };\n}\n\n/** The command names, as the core registers them. */\nexport const COMMAND_NAMES = [\n";
    for c in commands {
        ts += &format!("  '{}',\n", c.name);
    }
    ts += "] as const;\n\n/** Every event the core emits, with its payload. */\nexport interface Events {\n";
    for (name, doc, payload) in events {
        ts += &js_doc(doc, "  ");
        ts += &format!("  {name}: {payload};\n");
    }
    ts += "}\n\nexport type EventName = keyof Events;\n";
    ts
}

macro_rules! contract {
    (
        commands {
            $( $(#[doc = $doc:literal])* fn $name:ident ( $( $arg:ident : $ty:ty ),* $(,)? ) -> $ret:ty ; )*
        }
        events {
            $( $(#[doc = $edoc:literal])* $ev:ident => $variant:ident ( $payload:ty ) ; )*
        }
    ) => {
        /// Every command the UI may call.
        #[allow(dead_code)]
        pub const COMMANDS: &[&str] = &[ $( stringify!($name) ),* ];

        /// What the core tells the window.
        #[cfg_attr(not(feature = "desktop"), allow(dead_code))]
        #[derive(Debug, Clone)]
        pub enum Event { $( $variant($payload) ),* }

        #[cfg_attr(not(feature = "desktop"), allow(dead_code))]
        impl Event {
            pub fn name(&self) -> &'static str {
                match self { $( Event::$variant(_) => stringify!($ev) ),* }
            }
        }

        impl Serialize for Event {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( Event::$variant(p) => p.serialize(s) ),* }
            }
        }

        /// The UI's side of the contract.
        #[cfg(test)]
        pub fn typescript() -> String {
            let cfg = Config::new().with_large_int("number");
            let mut imports = std::collections::BTreeSet::new();
            let commands: Vec<Command> = vec![ $( {
                Command {
                    name: stringify!($name),
                    doc: &[ $( $doc ),* ],
                    args: vec![ $( (stringify!($arg), ts_type::<$ty>(&cfg)) ),* ],
                    answer: ts_type::<$ret>(&cfg),
                }
            } ),* ];
            let events = vec![ $( {
                (stringify!($ev), &[ $( $edoc ),* ] as &'static [&'static str], ts_type::<$payload>(&cfg))
            } ),* ];
            for c in &commands {
                c.args.iter().for_each(|(_, t)| ts_imports(t, &mut imports));
                ts_imports(&c.answer, &mut imports);
            }
            events.iter().for_each(|(_, _, t)| ts_imports(t, &mut imports));
            render(&commands, &events, &imports)
        }

        /// The Tauri commands: each calls the shell's implementation of the same name.
        #[cfg(feature = "desktop")]
        pub mod commands {
            use super::*;
            use crate::shell::Shell;
            $(
                $(#[doc = $doc])*
                #[tauri::command(rename_all = "snake_case")]
                pub async fn $name(
                    handle: tauri::AppHandle,
                    app: tauri::State<'_, std::sync::Arc<talentdeck::app::App>>,
                    $( $arg: $ty ),*
                ) -> talentdeck::Result<$ret> {
                    crate::shell::$name(Shell::new(handle, app.inner().clone()), $( $arg ),*).await
                }
            )*
        }

        /// The handler Tauri dispatches the contract's commands with.
        #[cfg(feature = "desktop")]
        macro_rules! handler {
            () => { tauri::generate_handler![ $( crate::ipc::commands::$name ),* ] };
        }
        #[cfg(feature = "desktop")]
        pub(crate) use handler;
    };
}

include!("ipc/contract.rs");

#[cfg(test)]
mod tests {
    /// Writes the UI's side of the contract; CI fails when the committed file differs.
    #[test]
    fn export_typescript_contract() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings/ipc.ts");
        std::fs::write(&path, super::typescript()).unwrap();
    }
}
