"""Rebuild NotoSansLaoLatin-Regular.ttf and NotoSansLaoLatin-Bold.ttf next to this script.

Pages and PDFs need one font that covers Lao, Latin (digits, punctuation, the kip sign) and
Cyrillic including the Tajik letters.  No single Debian font does: Noto Sans has no Lao, and
Debian's Noto Sans Lao has no digits, ASCII punctuation, Latin or Cyrillic.  So, per weight,
this script subsets both fonts and merges them with fontTools, keeping every GSUB/GPOS feature
so that Lao marks stay positioned (tone marks stacked above above-vowels).

Inputs: NotoSans-{Regular,Bold}.ttf and NotoSansLao-{Regular,Bold}.ttf from the Debian
package fonts-noto-core (/usr/share/fonts/truetype/noto/).  Licence: SIL OFL 1.1, see OFL.txt.

Renaming: the merged file would otherwise carry Noto Sans' names.  reportlab identifies an
embedded font by its internal face (PostScript) name and silently reuses the first font it
loaded under that name (pdfmetrics._dynFaceNames), so a stock Noto Sans registered elsewhere,
or Regular and Bold sharing a name, would render with the wrong glyphs -- Lao would come out
as empty boxes.  Browsers likewise must not mistake it for an installed Noto Sans.  Hence the
family "Noto Sans Lao Latin" and one PostScript name per weight.

Run from the repository root:  .venv/bin/python notifications/fonts/build_fonts.py
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from fontTools.merge import Merger
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont

SOURCE_DIR = Path("/usr/share/fonts/truetype/noto")
OUT_DIR = Path(__file__).resolve().parent
FAMILY = "Noto Sans Lao Latin"
PS_FAMILY = "NotoSansLaoLatin"
STYLES = ("Regular", "Bold")


def code_points(*spans: tuple[int, int]) -> set[int]:
    return {cp for first, last in spans for cp in range(first, last + 1)}


# Taken from Noto Sans: Latin (Basic, Latin-1, Extended-A/B), combining marks, Cyrillic and
# Cyrillic Supplement (Tajik's ғ ӣ қ ӯ ҳ ҷ are in U+0400..04FF), general punctuation
# (incl. U+200B zero width space), currency (incl. ₭), letterlike (№), arrows, maths, dotted circle.
LATIN_CYRILLIC = code_points(
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x02B0, 0x036F), (0x0400, 0x052F),
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x21FF),
    (0x2200, 0x22FF), (0x25CC, 0x25CC), (0xFEFF, 0xFEFF), (0xFFFD, 0xFFFD),
)  # fmt: skip
# Taken from Noto Sans Lao: the Lao block, plus its dotted circle (which carries the Lao mark
# anchors; fontTools keeps it for Lao runs through a 'locl' substitution).
LAO = code_points((0x0E80, 0x0EFF), (0x25CC, 0x25CC))


def subset(path: Path, unicodes: set[int]) -> BytesIO:
    """The font at path reduced to unicodes, with all layout features and glyph names kept."""
    options = Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], glyph_names=True)
    font = TTFont(path)
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    out.seek(0)
    return out


def copyright_notice(*fonts: Path) -> str:
    return " ".join(dict.fromkeys(TTFont(path)["name"].getDebugName(0) for path in fonts))


def rename(font: TTFont, style: str, copyright: str) -> None:
    """Give the merged font its own family, full and PostScript names (Windows records only)."""
    ps_name = f"{PS_FAMILY}-{style}"
    version = f"Version {font['head'].fontRevision:.3f}"
    names = {0: copyright, 1: FAMILY, 2: style, 3: f"{version[8:]};{ps_name}",
             4: f"{FAMILY} {style}", 5: version, 6: ps_name}  # fmt: skip
    table = font["name"]
    table.names = [r for r in table.names if r.platformID == 3 and r.nameID not in (*names, 16, 17)]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)


def set_style_flags(font: TTFont, style: str) -> None:
    bold = style == "Bold"
    os2 = font["OS/2"]
    os2.usWeightClass = 700 if bold else 400
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (1 << 5 if bold else 1 << 6)  # ITALIC, BOLD, REGULAR
    font["head"].macStyle = (font["head"].macStyle & ~0b11) | int(bold)  # bold, italic
    os2.recalcUnicodeRanges(font)
    os2.recalcCodePageRanges(font)


def keep_source_dates(font: TTFont, source: Path) -> None:
    """The merger stamps the current time; keeping the source's dates makes rebuilds byte-identical."""
    head, source_head = font["head"], TTFont(source)["head"]
    head.created, head.modified = source_head.created, source_head.modified
    font.recalcTimestamp = False


def build(style: str) -> Path:
    latin, lao = SOURCE_DIR / f"NotoSans-{style}.ttf", SOURCE_DIR / f"NotoSansLao-{style}.ttf"
    # Noto Sans first: its glyphs and hinting win (the merger un-hints the Lao glyphs).  Vertical
    # metrics become the larger, Lao ones (ascent 1183, descent 462) so stacked marks are not clipped.
    font = Merger().merge([subset(latin, LATIN_CYRILLIC), subset(lao, LAO)])
    rename(font, style, copyright_notice(latin, lao))
    set_style_flags(font, style)
    keep_source_dates(font, latin)
    target = OUT_DIR / f"{PS_FAMILY}-{style}.ttf"
    font.save(target)
    return target


def main() -> None:
    for style in STYLES:
        target = build(style)
        print(f"{target}  {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
