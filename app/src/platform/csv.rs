//! CSV for every download (transparency, staff reports): one field quoted and made safe.

/// Quotes a CSV field (RFC 4180) and defuses spreadsheet formulas: a cell a spreadsheet would
/// read as a formula (`= + - @`, or a leading TAB or CR that some programs skip before one) gets
/// a leading apostrophe.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused() {
        for f in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(
                super::csv_field(f)
                    .trim_start_matches('"')
                    .starts_with('\''),
                "{f:?}"
            );
        }
        assert_eq!(super::csv_field("plain"), "plain");
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
    }
}
