/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** `1` to use the in-memory fake backend even inside Tauri. */
  readonly VITE_FAKE_BACKEND?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
