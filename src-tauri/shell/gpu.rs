//! Whether the webview composites its page on the GPU. WebKitGTK composites through OpenGL; on a
//! machine without a GPU that GL is Mesa's software renderer (llvmpipe), which draws every frame on
//! the CPU a second time and keeps a GL context in the web process: measured on a 2-core VM without
//! a GPU, compositing off made opening a profile a third faster (p50), the cold start 0.3–1.5 s
//! shorter and the web process about 105 MB smaller (BENCHMARKS.md, stop 19). With a GPU
//! compositing stays on: it is what makes scrolling smooth there.

/// `TALENTDECK_GPU=on` keeps WebKit's compositing whatever the machine, `off` turns it off.
pub const OVERRIDE: &str = "TALENTDECK_GPU";

/// Whether to keep accelerated compositing: the override when it says `on` or `off`, else whether
/// the machine has a DRM render node (`/dev/dri/renderD*`), which every GPU driver that Mesa or
/// NVIDIA ship creates and a software-only machine (VM, container, remote X) lacks.
pub fn accelerated() -> bool {
    let choice = std::env::var(OVERRIDE).ok();
    let has_render_node = || {
        std::fs::read_dir("/dev/dri")
            .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
            .unwrap_or(false)
    };
    let on = decide(choice.as_deref(), has_render_node);
    tracing::info!(gpu = ?choice, accelerated = on, "webview compositing");
    on
}

/// The decision, apart from the environment it reads.
fn decide(choice: Option<&str>, has_render_node: impl FnOnce() -> bool) -> bool {
    match choice.map(|c| c.trim().to_ascii_lowercase()).as_deref() {
        Some("on" | "1" | "true") => true,
        Some("off" | "0" | "false") => false,
        Some(other) if !other.is_empty() => {
            tracing::warn!(value = other, "{OVERRIDE} is neither on nor off; deciding from the machine");
            has_render_node()
        }
        _ => has_render_node(),
    }
}

/// Turns accelerated compositing off in `window`'s webview (Linux: WebKitGTK's own setting, as
/// `WEBKIT_DISABLE_COMPOSITING_MODE=1` would, but for this webview only and without touching the
/// process's environment). Called right after the window is built, before its page first paints.
#[cfg(target_os = "linux")]
pub fn composite_in_software(window: &tauri::WebviewWindow) {
    let done = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    if let Err(e) = done {
        tracing::warn!(error = %e, "could not turn the webview's compositing off");
    }
}

/// Elsewhere the platform's webview (WebView2, WKWebView) decides by itself.
#[cfg(not(target_os = "linux"))]
pub fn composite_in_software(_window: &tauri::WebviewWindow) {}

#[cfg(test)]
mod tests {
    use super::decide;

    #[test]
    fn the_override_wins_over_the_machine_and_the_machine_decides_otherwise() {
        assert!(decide(Some("on"), || false), "on keeps compositing without a render node");
        assert!(!decide(Some("OFF"), || true), "off turns it off with a GPU");
        assert!(decide(None, || true), "a render node means a GPU");
        assert!(!decide(None, || false), "no render node: software GL, compositing off");
        assert!(!decide(Some(""), || false), "empty is unset");
        assert!(decide(Some("maybe"), || true), "an unknown value falls back to the machine");
    }
}
