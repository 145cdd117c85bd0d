//! Static assets as the web expects them. The wasm bundle, its JavaScript and the style sheet
//! are compressed once (brotli at its strongest and gzip, beside each file as `.br` / `.gz`),
//! not per request; `ServeDir` picks the form the browser accepts. A file whose name carries
//! its content hash (cargo-leptos's `hash-files`) never changes under that name, so browsers
//! keep it for a year without asking again; anything else is revalidated.

use axum::http::HeaderValue;
use std::io::{self, Write};
use std::path::Path;

/// Files worth compressing: text and wasm (images and fonts are compressed already).
const COMPRESSIBLE: [&str; 6] = ["wasm", "js", "css", "svg", "json", "txt"];

/// Writes `file.br` and `file.gz` beside every compressible file under `dir` that lacks them or
/// changed since. Returns how many files were compressed. Safe to run while a server reads the
/// directory: each output is written to a temporary name and renamed into place.
pub fn precompress(dir: &Path) -> io::Result<usize> {
    let mut done = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            done += precompress(&path)?;
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let modified = std::fs::metadata(&path)?.modified()?;
        let fresh = |suffix: &str| {
            let out = path.with_extension(format!("{ext}.{suffix}"));
            std::fs::metadata(out)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= modified)
        };
        if fresh("br") && fresh("gz") {
            continue;
        }
        let data = std::fs::read(&path)?;
        let mut br = Vec::with_capacity(data.len() / 3);
        {
            // Quality 11, window 22: the smallest output; paid once per build, not per request.
            let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, 11, 22);
            w.write_all(&data)?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&data)?;
        let gz = gz.finish()?;
        for (suffix, bytes) in [("br", &br), ("gz", &gz)] {
            let out = path.with_extension(format!("{ext}.{suffix}"));
            let tmp = path.with_extension(format!("{ext}.{suffix}.tmp"));
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &out)?;
        }
        done += 1;
    }
    Ok(done)
}

/// Whether a file name carries a content hash: `name.HASH.ext`, the hash letters, digits, `-` or
/// `_`, at least 16 of them or 8 with a digit (cargo-leptos's are 22, base64url). The split
/// loader of an unhashed build is `__wasm_split.______________________.js`: 22 underscores are a
/// placeholder, not a hash, so a hash needs a letter or digit. Without hashing the lazy-route
/// chunks (`chunk_12.wasm`, `split___…_route_view_<n>.wasm`) carry no content hash either and are
/// revalidated; a hashed build names them `chunk_12.<hash>.wasm`.
pub fn is_hashed(file_name: &str) -> bool {
    let parts: Vec<&str> = file_name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && p.chars().any(|c| c.is_ascii_alphanumeric())
                && (p.len() >= 16 || (p.len() >= 8 && p.chars().any(|c| c.is_ascii_digit())))
        })
}

/// The `Cache-Control` of a static file under `/pkg/` or the site root.
pub fn cache_control(path: &str) -> HeaderValue {
    let name = path.rsplit('/').next().unwrap_or("");
    if path.starts_with("/pkg/") && is_hashed(name) {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else if path.starts_with("/fonts/") && path.ends_with(".woff2") {
        // Named by their release (`vazirmatn-33.0.3-fa.woff2`): a new version is a new name.
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else if path.starts_with("/pkg/") {
        // Unhashed (a development build): revalidated, ServeDir answers 304 when unchanged.
        HeaderValue::from_static("public, no-cache")
    } else {
        // The favicon and friends: kept a day.
        HeaderValue::from_static("public, max-age=86400")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_apart() {
        assert!(is_hashed("karamat.Xy3kq9_Zt2.wasm"));
        assert!(is_hashed("karamat.a1b2c3d4e5.js"));
        assert!(is_hashed("karamat.JXLEQwHHoEULFDHPFVzVwq.wasm"));
        assert!(!is_hashed("karamat.wasm"));
        assert!(!is_hashed("__wasm_split.______________________.js"));
        assert!(!is_hashed("chunk_12.wasm"));
        assert!(!is_hashed(
            "split___staff_home_route_view_15543412642968411013.wasm"
        ));
        assert!(!is_hashed("karamat_bg.wasm"));
        assert!(!is_hashed("inline0.js"));
        assert!(!is_hashed("jquery.min.js"));
    }

    #[test]
    fn versioned_fonts_are_kept_a_year_and_the_rest_a_day() {
        let immutable = "public, max-age=31536000, immutable";
        assert_eq!(cache_control("/fonts/vazirmatn-33.0.3-fa.woff2"), immutable);
        assert_eq!(
            cache_control("/pkg/karamat.JXLEQwHHoEULFDHPFVzVwq.wasm"),
            immutable
        );
        assert_eq!(
            cache_control("/fonts/Vazirmatn-OFL.txt"),
            "public, max-age=86400"
        );
        assert_eq!(cache_control("/favicon.svg"), "public, max-age=86400");
    }

    #[test]
    fn precompressed_files_decompress_to_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let text = "body { color: red }\n".repeat(500);
        std::fs::write(dir.path().join("main.css"), &text).unwrap();
        std::fs::write(dir.path().join("photo.png"), [0u8; 10]).unwrap();
        assert_eq!(precompress(dir.path()).unwrap(), 1);
        // Up to date: nothing to do the second time.
        assert_eq!(precompress(dir.path()).unwrap(), 0);
        let br = std::fs::read(dir.path().join("main.css.br")).unwrap();
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut br.as_slice(), &mut out).unwrap();
        assert_eq!(out, text.as_bytes());
        let gz = std::fs::read(dir.path().join("main.css.gz")).unwrap();
        let mut out = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut out)
            .unwrap();
        assert_eq!(out, text);
        assert!(br.len() < text.len() / 10);
        assert!(!dir.path().join("photo.png.br").exists());
    }
}
