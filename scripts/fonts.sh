#!/usr/bin/env bash
# Rebuilds the self-hosted Vazirmatn subsets in public/fonts/ (committed, so a build needs neither
# npm nor Python for them). Run it only to change the version or the character ranges.
#   scripts/fonts.sh        needs npm and Python 3 (installs fonttools + brotli with pip --user)
# Vazirmatn (SIL OFL 1.1, https://github.com/rastikerdar/vazirmatn), the variable font (weights
# 100–900 in one file), cut in two by script (a browser fetches only the cuts a page's text needs):
#   vazirmatn-<v>-fa.woff2     Persian letters, Arabic-Indic and Persian digits, ، ؛ ؟ « », ZWNJ,
#                              the bidi marks and isolates
#   vazirmatn-<v>-latin.woff2  ASCII, no-break space, · × – — ‘ ’ “ ” • … ← → − (codes, English)
# style/main.css declares both with the same unicode-range lists; keep them in step.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="33.0.3"
FA="U+0020,U+00A0,U+060C,U+061B,U+061F,U+0621-063A,U+0640-0655,U+0660-066D,U+0670,U+067E,U+0686,U+0698,U+06A9,U+06AF,U+06C0,U+06CC,U+06F0-06F9,U+200C-200F,U+2066-2069,U+00AB,U+00BB"
LATIN="U+0020-007E,U+00A0,U+00AB,U+00B7,U+00BB,U+00D7,U+2013,U+2014,U+2018-201D,U+2022,U+2026,U+2190-2193,U+2212"
# Shaping Persian needs the positional forms and the mark features; the rest (stylistic sets,
# fractions, …) are left out: they are half of the file.
FEATURES="ccmp,locl,init,medi,fina,isol,rlig,liga,calt,mark,mkmk,kern"

command -v pyftsubset >/dev/null || python3 -m pip install --user -q fonttools brotli
PYFTSUBSET="$(command -v pyftsubset || echo "$HOME/.local/bin/pyftsubset")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack -q "vazirmatn@$VERSION" >/dev/null && tar xzf "vazirmatn-$VERSION.tgz")
SRC="$WORK/package/fonts/variable/Vazirmatn[wght].ttf"
OUT="$ROOT/public/fonts"
mkdir -p "$OUT"
rm -f "$OUT"/vazirmatn-*.woff2
"$PYFTSUBSET" "$SRC" --unicodes="$FA" --layout-features="$FEATURES" --flavor=woff2 \
  --output-file="$OUT/vazirmatn-$VERSION-fa.woff2"
"$PYFTSUBSET" "$SRC" --unicodes="$LATIN" --layout-features="$FEATURES" --flavor=woff2 \
  --output-file="$OUT/vazirmatn-$VERSION-latin.woff2"
cp "$WORK/package/OFL.txt" "$OUT/Vazirmatn-OFL.txt"
ls -l "$OUT"
