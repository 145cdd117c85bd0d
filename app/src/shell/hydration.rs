//! The script that hydrates the page, started only once the page has painted.
//!
//! Leptos's `HydrationScripts` also writes `<link rel="modulepreload">` and `<link rel="preload">`
//! hints for the module and the wasm, so the browser starts the 565 KB wasm while it still
//! fetches the stylesheet and the font. On a slow mobile link that download sits in front of the
//! first paint's resources: Lighthouse's simulated slow 4G put the largest contentful paint at
//! 4.2 s on every public page while the text had painted at 1.1 s. Every page works before it is
//! hydrated (plain forms and links), so the code can wait: this component writes the same
//! start-up script without the hints, and the script asks for the module at the browser's first
//! idle moment (at most 2 s after load).

use leptos::prelude::*;

/// Leptos's `hydration_script.js` (MIT), with hydration always on idle and no `root`.
const SCRIPT: &str = r#"(function (pkg, js, wasm) {
	const hydrate = () =>
		import(`/${pkg}/${js}.js`).then(mod =>
			mod.default({module_or_path: `/${pkg}/${wasm}.wasm`}).then(() => mod.hydrate()));
	if ("requestIdleCallback" in window) {
		window.requestIdleCallback(hydrate, { timeout: 2000 });
	} else {
		window.addEventListener("load", hydrate);
	}
})"#;

/// In the document's `<head>` in place of `HydrationScripts`.
#[component]
pub fn HydrateWhenIdle(options: LeptosOptions) -> impl IntoView {
    // Leptos's component is still run for what it provides to the page (the split manifest the
    // lazy routes name their chunks from); what it would write is dropped.
    let _ = view! { <HydrationScripts options=options.clone() defer=true/> };
    let (js, wasm) = file_names(&options);
    let pkg = options.site_pkg_dir.to_string();
    let nonce = leptos::nonce::use_nonce();
    view! {
        <script type="module" nonce=nonce>{format!("{SCRIPT}({pkg:?}, {js:?}, {wasm:?});")}</script>
    }
}

/// The module's and the wasm's file names as Leptos names them: with the build's hashes
/// (`hash.txt` beside the binary) when files are hashed, else the plain output name.
fn file_names(options: &LeptosOptions) -> (String, String) {
    let mut js = options.output_name.to_string();
    let mut wasm = options.output_name.to_string();
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join(options.hash_file.as_ref())))
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        for (file, hash) in hashes.lines().filter_map(|l| l.trim().split_once(':')) {
            match file {
                "js" => js.push_str(&format!(".{}", hash.trim())),
                "wasm" => wasm.push_str(&format!(".{}", hash.trim())),
                _ => {}
            }
        }
    } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        wasm.push_str("_bg");
    }
    (js, wasm)
}
