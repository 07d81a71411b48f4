"""Tests for tazsearch.parse: the real seed article, synthetic fixtures and rendered corpus files.

All inline fixtures below are synthetic test fixtures written for these tests, not real taz
content. Only the seed (seeds/000_3fd7acc3efa38401.txt) is a real article.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tazsearch.parse import (
    Article,
    Block,
    Link,
    NotAnArticle,
    Related,
    decode,
    parse_bytes,
    parse_file,
    parse_text,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_3fd7acc3efa38401.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared"
RENDER_TOOL = SHARED / "tools" / "render_taz.py"
INDENT = " " * 7


def taz(*lines: str) -> str:
    """Lay out synthetic lines like a gopher save.

    "URI: ..." stays as is, "DIR x"/"IMG x"/"TXT x" become 3-space menu items, "" becomes
    a 7-space blank line and every other line a 7-space indented text line.
    """
    out = []
    for line in lines:
        if line.startswith("URI:"):
            out.append(line)
        elif line.split(" ", 1)[0] in ("DIR", "IMG", "TXT"):
            out.append("   " + line)
        else:
            out.append(INDENT + line if line else INDENT)
    return "\n".join(out) + "\n"


def article(*body: str, title: str = "Kicker: Headline", trailer: bool = True) -> str:
    """A synthetic article with the given body lines, a date and a small trailer."""
    lines = ["URI: ", f"# taz.de -- {title}", "", *body, ""]
    if trailer:
        lines += ["21 Oct 2024", "", "## TAGS", "", "DIR Testtag", ""]
    return taz(*lines)


def body_of(*body: str) -> str:
    return parse_text(article(*body)).body


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed() -> Article:
    return parse_file(SEED)


def test_seed_copy_is_byte_identical_to_shared() -> None:
    shared_seed = SHARED / "seeds" / SEED.name
    if not shared_seed.exists():
        pytest.skip(f"{shared_seed} not present")
    assert SEED.read_bytes() == shared_seed.read_bytes()


def test_seed_header(seed: Article) -> None:
    assert seed.kicker == "Soldaten für Russlands Krieg"
    assert seed.headline == "Nordkorea bringt den Ukraine-Krieg nach Asien"
    assert seed.title == f"{seed.kicker}: {seed.headline}"
    assert seed.uri == ""
    assert seed.id == "000_3fd7acc3efa38401"
    assert seed.path == str(SEED)


def test_seed_teaser(seed: Article) -> None:
    assert seed.teaser == (
        "Südkorea rückt näher an die Nato heran, nachdem Nordkorea Russland mit Soldaten "
        "hilft. Nato-Chef Mark Rutte nennt Nordkoreas Verhalten eine „Eskalation“."
    )


def test_seed_date(seed: Article) -> None:
    assert seed.date == datetime.date(2024, 10, 21)
    assert "21 Oct 2024" not in seed.body
    assert "2024" not in seed.blocks[-1].text


def test_seed_links(seed: Article) -> None:
    assert seed.links == (
        Link(1, "/Militaerhilfe-fuer-Putin-gegen-Ukraine/!6043671"),
        Link(2, "/Buendnis-fuer-Zusammenarbeit/!6043244"),
        Link(3, "/Schwerpunkt-Krieg-in-der-Ukraine/!t5008150"),
    )


def test_seed_authors_and_tags(seed: Article) -> None:
    assert seed.authors == ("Fabian Kretschmer", "Bernhard Clasen")
    assert seed.tags == (
        "Nordkorea",
        "China",
        "Schwerpunkt Krieg in der Ukraine",
        "Russland",
        "Annalena Baerbock",
        "Japan",
    )


def test_seed_related(seed: Article) -> None:
    assert len(seed.related) == 9
    assert seed.related[0] == Related(
        "Kommandant eines berüchtigten Korps: Der nordkoreanische General für Putins Ukrainekrieg",
        "8.000 nordkoreanische Soldaten sollen bereits in der russischen Region Kursk "
        "eingetroffen sein. Geführt werden sie von General Kim Yong Bok.",
    )
    assert seed.related[-1].title == (
        "Zeitenwende in Deutschland und Japan: Lasst endlich das „Scholzing“"
    )
    assert seed.related[3].teaser == (
        "Das neue „Hauptquartier“ der Nato in Rostock sorgt für Aufregung. Dabei wird "
        "eigentlich nur Personal aufgestockt, das Marinekommando ist dort seit 2012."
    )
    assert seed.related[6].title == (
        "Spannungen zwischen Nord- und Südkorea: Nicht mehr nur das übliche Aufplustern"
    )
    assert all(r.title and r.teaser for r in seed.related)


def test_seed_caption(seed: Article) -> None:
    assert seed.captions == (
        "Südkoreas Präsident Yoon Suk Yeo betrachtet die rücksichtslose militärische "
        "Annäherung zwischen Russland und Nordkorea mit Skepsis",
    )


def test_seed_body_text(seed: Article) -> None:
    body = seed.body
    assert (
        "hatte am Freitag behauptet, dass Nordkorea in einer ersten Phase rund 1.500 "
        "Soldaten nach Russland entsandt habe." in body
    )
    assert "die Volksrepublik China nach außen" in body
    assert "in der Ukraine-Krise eine konsequente" in body
    assert "Achse Pjöngjang-Moskau nicht nur" in body
    assert "[" not in body
    assert "]" not in body
    assert "  " not in body
    assert seed.blocks[0].text.startswith("Berlin taz | Südkoreas Präsident Yoon Suk Yeol")
    assert seed.blocks[-1].text.endswith("US-Militärhilfe für die Ukraine angekündigt.")
    assert body == "\n\n".join(b.text for b in seed.blocks)


def test_seed_blocks(seed: Article) -> None:
    headings = [b for b in seed.blocks if b.heading]
    assert headings == [Block("Ukraine: Erste Nordkoreaner in Russland desertieren schon", True)]
    assert len(seed.blocks) == 7
    assert seed.blocks[5].heading
    assert not any(b.heading for i, b in enumerate(seed.blocks) if i != 5)
    assert seed.blocks[1].text == (
        "Zuvor hatte Südkoreas Außenministerium den russischen Botschafter in Seoul "
        "einbestellt und die russische Seite dringlichst dazu aufgefordert, sämtliche "
        "nordkoreanische Soldaten aus dem Land abzuziehen. Interessant ist, dass die "
        "russische Botschaft in einer ersten Stellungnahme die Anschuldigungen keineswegs "
        "bestritt, sondern lediglich darauf verwies, dass die militärische Kooperation mit "
        "Nordkorea im Rahmen des Völkerrechts erfolge."
    )


@pytest.mark.parametrize(
    "word",
    ["Rostock", "Scherbakowa", "Kursk", "Applebaum", "Scholzing", "Kommandant", "Kretschmer"],
)
def test_seed_trailer_text_stays_out_of_body(seed: Article, word: str) -> None:
    assert word not in seed.body
    assert word not in seed.teaser
    assert all(word not in c for c in seed.captions)


def test_seed_trailer_headings_not_in_body(seed: Article) -> None:
    for heading in ("LINKS", "AUTOREN", "TAGS", "ARTIKEL ZUM THEMA", "DIR", "IMG"):
        assert heading not in seed.body


def test_seed_parse_bytes_and_text_agree(seed: Article) -> None:
    data = SEED.read_bytes()
    assert parse_bytes(data, str(SEED)) == seed
    assert parse_text(data.decode("utf-8"), str(SEED)) == seed


def test_seed_without_indentation_or_with_tabs(seed: Article) -> None:
    text = SEED.read_text(encoding="utf-8")
    variants = (
        text.replace(INDENT, ""),
        text.replace(INDENT, "\t"),
        text.replace(INDENT, "\t").replace("   DIR ", "\tDIR ").replace("   IMG ", "\tIMG "),
        "\n".join(line.strip() for line in text.split("\n")),
        text.replace(INDENT, " " * 8),
    )
    for variant in variants:
        other = parse_text(variant, str(SEED))
        assert other == seed


# --------------------------------------------------------------------------- unwrapping


def test_hyphen_rejoined_without_space() -> None:
    body = body_of("Die Blockupy-", "Aktionstage begannen in der", "Pjöngjang-", "Moskau-Achse.")
    assert body == "Die Blockupy-Aktionstage begannen in der Pjöngjang-Moskau-Achse."


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Nord-", "und Südkorea", "Nord- und Südkorea"),
        ("Ein-", "oder Ausgang", "Ein- oder Ausgang"),
        ("Vor-", "bzw. Nachteile", "Vor- bzw. Nachteile"),
        ("Kinder-", "sowie Jugendbuch", "Kinder- sowie Jugendbuch"),
        ("weder Nord-", "noch Süd", "weder Nord- noch Süd"),
        ("Entweder-", "Oder-Fragen", "Entweder-Oder-Fragen"),
        ("Es regnet -", "sagt sie", "Es regnet - sagt sie"),
        ("Es regnet –", "sagt sie", "Es regnet – sagt sie"),
        ("Es regnet –", "und es blitzt", "Es regnet – und es blitzt"),
        ("US-", "Militärhilfe", "US-Militärhilfe"),
    ],
)
def test_hyphen_at_line_end(first: str, second: str, expected: str) -> None:
    assert body_of(first, second) == expected


def test_paragraphs_unwrapped_and_separated() -> None:
    art = parse_text(article("Erster Absatz,", "noch erster.", "", "Zweiter", "Absatz."))
    assert art.blocks == (Block("Erster Absatz, noch erster."), Block("Zweiter Absatz."))
    assert art.body == "Erster Absatz, noch erster.\n\nZweiter Absatz."


def test_blank_lines_with_only_spaces_or_nothing_separate_paragraphs() -> None:
    text = article("Eins.", "", "Zwei.").replace(INDENT + "\n" + INDENT + "Zwei", "\nZwei")
    assert [b.text for b in parse_text(text).blocks] == ["Eins.", "Zwei."]


# --------------------------------------------------------------------------- inline links


def test_multi_line_anchor() -> None:
    body = body_of(
        "Der Dienst [1][hatte am Freitag behauptet, dass",
        "Nordkorea Soldaten entsandt habe.] Dort sollen",
        "die [2][Volksrepublik",
        "China] und die [3][Krise] folgen.",
    )
    assert body == (
        "Der Dienst hatte am Freitag behauptet, dass Nordkorea Soldaten entsandt habe. "
        "Dort sollen die Volksrepublik China und die Krise folgen."
    )


def test_unbalanced_anchor_keeps_text() -> None:
    body = body_of("Davor [2][never closed and then", "the rest of the text.", "", "Next.")
    assert body == "Davor never closed and then the rest of the text.\n\nNext."


def test_lone_marker_dropped() -> None:
    assert body_of("Siehe [1] dort und [12].") == "Siehe dort und ."


def test_anchor_with_brackets_and_nesting() -> None:
    assert body_of("A [1][b [c] d] e.") == "A b [c] d e."
    assert body_of("A [1][b [2][c] d] e.") == "A b c d e."
    assert body_of("A [1][b (siehe [c]) d", "und weiter.") == "A b (siehe [c]) d und weiter."


def test_plain_brackets_and_years_are_kept() -> None:
    assert body_of("Im Jahr [2024] sagte er [sic] nichts.") == (
        "Im Jahr [2024] sagte er [sic] nichts."
    )


def test_huge_unbalanced_markup_completes() -> None:
    text = article("Anfang " + "[1][" * 200_000 + " Ende", "[2][noch mehr")
    assert parse_text(text).body == "Anfang Ende noch mehr"


# --------------------------------------------------------------------------- encodings


LF_ARTICLE = article("Grüße aus Köln – „Straße“ für 5 €.", "Zweite Zeile.")


def test_crlf_and_bom_give_the_same_article() -> None:
    lf = parse_bytes(LF_ARTICLE.encode("utf-8"))
    crlf = parse_bytes(b"\xef\xbb\xbf" + LF_ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    cr = parse_bytes(LF_ARTICLE.replace("\n", "\r").encode("utf-8"))
    assert crlf == lf
    assert cr == lf
    assert parse_text("\ufeff" + LF_ARTICLE.replace("\n", "\r\n")) == lf
    assert lf.body == "Grüße aus Köln – „Straße“ für 5 €. Zweite Zeile."


def test_cp1252_bytes() -> None:
    data = (
        b"# taz.de -- Gr\xfc\xdfe: Stra\xdfe\n\n"
        + INDENT.encode()
        + b"\x84Gr\xfc\xdfe\x93 \x80 5\n"
    )
    art = parse_bytes(data)
    assert art.title == "Grüße: Straße"
    assert art.kicker == "Grüße"
    assert art.body == "„Grüße“ € 5"


def test_cp1252_whole_article_equals_utf8() -> None:
    assert parse_bytes(LF_ARTICLE.encode("cp1252")) == parse_bytes(LF_ARTICLE.encode("utf-8"))


def test_latin1_bytes_including_bytes_cp1252_cannot_map() -> None:
    assert decode(b"Gr\xfc\xdfe \xe4\xf6\xfc\xc4\xd6\xdc") == "Grüße äöüÄÖÜ"
    assert decode(b"a\x81b\x8dc\x8fd\x90e\x9df\xe9") == "a\x81b\x8dc\x8fd\x90e\x9df\xe9"
    text = "# taz.de -- Über: Öl\n\n" + INDENT + "Süß und sauer.\n"
    art = parse_bytes(text.encode("latin-1"))
    assert (art.kicker, art.headline, art.body) == ("Über", "Öl", "Süß und sauer.")


def test_utf8_with_a_stray_latin1_byte_keeps_utf8() -> None:
    data = "Grüße aus München, Köln und Düsseldorf ".encode() + b"\xb0C"
    assert decode(data) == "Grüße aus München, Köln und Düsseldorf °C"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_with_bom(encoding: str) -> None:
    data = LF_ARTICLE.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(encoding) + data
    assert parse_bytes(data) == parse_bytes(LF_ARTICLE.encode("utf-8"))


def test_utf16_without_bom_is_detected() -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        assert decode(LF_ARTICLE.encode(encoding)) == LF_ARTICLE


def test_decode_normalises_newlines() -> None:
    assert decode(b"a\r\nb\rc\n") == "a\nb\nc\n"


@pytest.mark.parametrize(
    "data", [b"", b"   ", b"\n\r\n  \t\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n", b"\xff\xfe"]
)
def test_empty_file(data: bytes) -> None:
    with pytest.raises(NotAnArticle) as info:
        parse_bytes(data)
    assert str(info.value) == "empty file"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"# taz.de -- Titel\n\x00\x00\x00Text",
        b"\x00",
        bytes(range(256)),
        b"\x00\xff" * 500,
        b"\x00A" * 500,
        b"A\x00" * 500,
    ],
)
def test_binary_file(data: bytes) -> None:
    with pytest.raises(NotAnArticle, match="binary"):
        parse_bytes(data)


def test_not_an_article_is_a_value_error() -> None:
    assert issubclass(NotAnArticle, ValueError)
    with pytest.raises(ValueError, match="empty file"):
        parse_text("  \n ")


# --------------------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    "text",
    [
        "Hallo Welt\n",
        "URI: gopher://taz.de/\n\nNur Text, keine Überschrift.\n",
        "<html><body>taz.de</body></html>\n",
        "# Spiegel -- Titel\n\n" + INDENT + "Text.\n",
        INDENT + "Text vor dem Kopf.\n" + INDENT + "# taz.de -- Titel\n",
    ],
)
def test_no_header(text: str) -> None:
    with pytest.raises(NotAnArticle) as info:
        parse_text(text)
    assert str(info.value) == 'no taz header ("# taz.de -- ...")'


@pytest.mark.parametrize(
    "text",
    [
        "URI: \n" + INDENT + "# taz.de -- Kicker: Headline\n",
        INDENT + "# taz.de -- Kicker: Headline\n" + INDENT + "\n" + INDENT + "\n",
        taz("# taz.de -- Kicker: Headline", "", "IMG Bild: Ein Foto", ""),
        taz("# taz.de -- K: H", "", "21 Oct 2024", "", "## TAGS", "", "DIR Tag", ""),
        taz("# taz.de -- K: H", "", "## Nur eine Zwischenzeile", ""),
        taz("# taz.de -- K: H", "", "## ARTIKEL ZUM THEMA", "", "DIR Anderer: Text", "", "Teaser."),
    ],
)
def test_header_without_article_text(text: str) -> None:
    with pytest.raises(NotAnArticle) as info:
        parse_text(text)
    assert str(info.value) == "no article text after the header"


SECTION_MENU = taz(
    "URI: gopher://taz.de/1/Gesellschaft",
    "# taz.de -- Gesellschaft",
    "",
    "DIR Debatte ueber Mieten: Wer kann sich Berlin noch leisten?",
    "",
    "Ueber die Mietpreisbremse wird seit Jahren gestritten. Nun legt der",
    "Senat einen neuen Entwurf vor.",
    "",
    "DIR Kolumne Liebeserklaerung: Ein Hoch auf die Stadtbibliothek",
    "",
    "Warum oeffentliche Buechereien die letzten wirklich freien Orte sind.",
    "",
    "DIR Pflege in der Krise: Muede, aber nicht am Ende",
    "",
    "DIR Ueber Generationen: Was Grosseltern erzaehlen",
    "",
    "Ein Besuch bei Familien, die seit drei Generationen im selben Haus leben.",
    "",
)


def test_section_menu_rejected() -> None:
    with pytest.raises(NotAnArticle) as info:
        parse_text(SECTION_MENU)
    assert str(info.value) == "section menu, not an article"
    with pytest.raises(NotAnArticle, match="section menu"):
        parse_bytes(SECTION_MENU.encode("utf-8"), "gesellschaft.txt")


def test_section_menu_with_other_labels() -> None:
    text = taz("# taz.de -- Politik", "", "TXT Erster Eintrag", "TXT Zweiter Eintrag", "")
    text += "  HTML https://taz.de/\n" + INDENT + "Ein Text.\n"
    with pytest.raises(NotAnArticle, match="section menu"):
        parse_text(text)


def test_one_stray_menu_item_is_not_a_menu() -> None:
    text = article("Erster Absatz.", "", "DIR Irgendwohin", "", "Zweiter Absatz.")
    text = text.replace("   DIR Irgendwohin", "  HTML https://example.org/")
    art = parse_text(text)
    assert art.body == "Erster Absatz.\n\nZweiter Absatz."


# --------------------------------------------------------------------------- partial input


def test_truncated_article() -> None:
    text = taz(
        "URI: ",
        "# taz.de -- Abgebrochen: Die Datei endet mitten im Satz",
        "",
        "> Ein Teaser über",
        "> zwei Zeilen.",
        "",
        "Berlin taz | Der erste Absatz ist vollständig und endet mit",
        "einem Punkt.",
        "",
        "Der zweite Absatz bricht mitten im Wort ab, weil die Verbin",
    ).rstrip("\n")
    art = parse_text(text)
    assert art.date is None
    assert art.teaser == "Ein Teaser über zwei Zeilen."
    assert art.blocks == (
        Block("Berlin taz | Der erste Absatz ist vollständig und endet mit einem Punkt."),
        Block("Der zweite Absatz bricht mitten im Wort ab, weil die Verbin"),
    )
    assert (art.links, art.authors, art.tags, art.related) == ((), (), (), ())


def test_teaser_only_article() -> None:
    art = parse_text(taz("# taz.de -- K: H", "", "> Nur ein Teaser.", "", "21 Oct 2024"))
    assert art.teaser == "Nur ein Teaser."
    assert art.blocks == ()
    assert art.body == ""
    assert art.date == datetime.date(2024, 10, 21)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("21 Oct 2024", datetime.date(2024, 10, 21)),
        ("1 Jan 2020", datetime.date(2020, 1, 1)),
        ("21 Okt 2024", datetime.date(2024, 10, 21)),
        ("3 Mär 2021", datetime.date(2021, 3, 3)),
        ("3 Mar 2021", datetime.date(2021, 3, 3)),
        ("9 Mai 2020", datetime.date(2020, 5, 9)),
        ("9 May 2020", datetime.date(2020, 5, 9)),
        ("24 Dez 2019", datetime.date(2019, 12, 24)),
        ("24 Dezember 2019", datetime.date(2019, 12, 24)),
        ("3 März 2021", datetime.date(2021, 3, 3)),
        ("29 February 2024", datetime.date(2024, 2, 29)),
        ("07 oct 2024", datetime.date(2024, 10, 7)),
    ],
)
def test_date_line(line: str, expected: datetime.date) -> None:
    art = parse_text(article("Text.", "", line, trailer=False))
    assert art.date == expected
    assert art.body == "Text."


@pytest.mark.parametrize("line", ["31 Feb 2024", "32 Oct 2024", "0 Jan 2024", "29 Feb 2023"])
def test_invalid_date_line(line: str) -> None:
    art = parse_text(article("Text.", "", line, "", "## TAGS", "", "DIR Tag", trailer=False))
    assert art.date is None
    assert art.body == "Text."
    assert line not in art.body
    assert art.tags == ("Tag",)


def test_date_ends_the_body() -> None:
    art = parse_text(article("Text.", "", "21 Oct 2024", "", "Nachklapp.", trailer=False))
    assert art.date == datetime.date(2024, 10, 21)
    assert art.body == "Text."


@pytest.mark.parametrize("line", ["9. November 1938", "21 Oct 2024 um 10 Uhr", "Am 21 Oct 2024"])
def test_date_like_paragraphs_stay_in_body(line: str) -> None:
    art = parse_text(article("Anfang.", "", line, "", "Ende.", trailer=False))
    assert art.date is None
    assert art.body == f"Anfang.\n\n{line}\n\nEnde."


def test_date_inside_a_paragraph_stays_text() -> None:
    art = parse_text(article("Es war am", "21 Oct 2024", "als es geschah.", trailer=False))
    assert art.date is None
    assert art.body == "Es war am 21 Oct 2024 als es geschah."


def test_body_ends_at_trailer_without_date() -> None:
    text = taz("# taz.de -- K: H", "", "Text.", "", "## AUTOREN", "", "DIR Erika Muster", "")
    art = parse_text(text)
    assert (art.date, art.body, art.authors) == (None, "Text.", ("Erika Muster",))


# --------------------------------------------------------------------------- header


def test_kicker_split_at_first_colon_only() -> None:
    art = parse_text(
        article("Text.", title="40 Jahre taz: Die Gründer-Ausgabe: Die bewegte Zeitung")
    )
    assert art.title == "40 Jahre taz: Die Gründer-Ausgabe: Die bewegte Zeitung"
    assert art.kicker == "40 Jahre taz"
    assert art.headline == "Die Gründer-Ausgabe: Die bewegte Zeitung"


@pytest.mark.parametrize("title", ["Gesellschaft im Wandel", "Uhrzeit 10:30 Uhr", "Fazit:"])
def test_title_without_colon_space(title: str) -> None:
    art = parse_text(article("Text.", title=title))
    assert (art.title, art.kicker, art.headline) == (title, "", title)


def test_uri_and_ids() -> None:
    text = article("Text.").replace("URI: \n", "URI: gopher://taz.de/0/Artikel/!6043671\n")
    art = parse_text(text)
    assert art.uri == "gopher://taz.de/0/Artikel/!6043671"
    assert art.id == "6043671"
    assert art.path == ""
    assert parse_text(text, "x/y/123_abc.txt").id == "123_abc"
    no_uri = parse_text(article("Text."))
    assert no_uri.uri == ""
    assert len(no_uri.id) == 16
    assert int(no_uri.id, 16) >= 0
    assert parse_text(article("Text.")).id == no_uri.id
    assert parse_text(article("Anderer Text.")).id != no_uri.id


def test_missing_uri_line() -> None:
    text = article("Text.").replace("URI: \n", "")
    art = parse_text(text)
    assert (art.uri, art.title, art.body) == ("", "Kicker: Headline", "Text.")


def test_dateline_kept() -> None:
    assert body_of("Berlin taz | Es begann.") == "Berlin taz | Es begann."


# --------------------------------------------------------------------------- trailer


def test_trailer_sections_in_any_order_and_case() -> None:
    text = taz(
        "# taz.de -- K: H",
        "",
        "Text mit [1][Link].",
        "",
        "## Tags",
        "",
        "DIR B",
        "DIR A",
        "DIR B",
        "",
        "## ARTIKEL ZUM THEMA",
        "",
        "DIR Ohne Teaser: Titel eins",
        "",
        "DIR Mit Teaser: Titel zwei",
        "",
        "Teaser zwei über",
        "zwei Zeilen.",
        "",
        "## AUTORIN",
        "",
        "DIR Erika Muster",
        "",
        "## links",
        "",
        "DIR [1] /Ziel/!123",
        "DIR [2] https://example.org/x",
    )
    art = parse_text(text)
    assert art.body == "Text mit Link."
    assert art.tags == ("B", "A")
    assert art.authors == ("Erika Muster",)
    assert art.links == (Link(1, "/Ziel/!123"), Link(2, "https://example.org/x"))
    assert art.related == (
        Related("Ohne Teaser: Titel eins", ""),
        Related("Mit Teaser: Titel zwei", "Teaser zwei über zwei Zeilen."),
    )
    assert "Teaser zwei" not in art.body


def test_subheadings_are_heading_blocks() -> None:
    art = parse_text(article("Eins.", "", "## Eine Zwischenzeile", "", "Zwei."))
    assert art.blocks == (Block("Eins."), Block("Eine Zwischenzeile", True), Block("Zwei."))
    assert art.body == "Eins.\n\nEine Zwischenzeile\n\nZwei."


def test_captions() -> None:
    art = parse_text(article("IMG Bild: Erstes Foto", "", "Text.", "", "IMG Zweites Foto …"))
    assert art.captions == ("Erstes Foto", "Zweites Foto …")
    assert art.body == "Text."


def test_two_space_html_menu_item_is_not_text() -> None:
    text = article("Text.", "", "## LINKS", "", trailer=False) + "  HTML [1] https://x.org/\n"
    art = parse_text(text)
    assert art.links == (Link(1, "https://x.org/"),)
    assert art.body == "Text."


# --------------------------------------------------------------------------- files and size


def test_parse_file_missing(tmp_path: Path) -> None:
    with pytest.raises(NotAnArticle) as info:
        parse_file(tmp_path / "does-not-exist.txt")
    assert str(info.value) == "file not found"
    assert "\n" not in str(info.value)


def test_parse_file_directory(tmp_path: Path) -> None:
    with pytest.raises(NotAnArticle):
        parse_file(tmp_path)


def test_parse_file_accepts_str_and_path(tmp_path: Path) -> None:
    path = tmp_path / "042_fixture.txt"
    path.write_bytes(LF_ARTICLE.encode("cp1252"))
    by_path, by_str = parse_file(path), parse_file(str(path))
    assert by_path == by_str
    assert (by_path.id, by_path.path) == ("042_fixture", str(path))
    assert by_path.body.startswith("Grüße aus Köln")


def test_ten_megabyte_article() -> None:
    line = " ".join(["Zeitung"] * 9)  # 71 characters
    paragraph = [line] * 10 + [""]
    count = 13_000
    text = article(*(paragraph * count))
    assert len(text) > 10_000_000
    art = parse_text(text)
    expected_paragraph = " ".join([line] * 10)
    assert len(art.blocks) == count
    assert len(art.body) == count * len(expected_paragraph) + (count - 1) * 2
    assert art.date == datetime.date(2024, 10, 21)


def test_ten_megabyte_single_line() -> None:
    line = "Wort " * 2_000_000 + "[1][offen"
    art = parse_text(article(line))
    assert len(art.body) == 10_000_000 + len("offen")


# --------------------------------------------------------------------------- robustness


_FIXTURE_HEADER = b"# taz.de -- Fixture: Kopfzeile\n\n"


@settings(max_examples=300, deadline=None)
@given(header=st.sampled_from([b"", _FIXTURE_HEADER]), data=st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_raise_not_an_article(header: bytes, data: bytes) -> None:
    """Bytes after a taz header give that header's title and clean blocks, or a
    one-line reason; bytes without one are never an article."""
    try:
        art = parse_bytes(header + data)
    except NotAnArticle as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert header, "an article without a taz header"
    assert (art.title, art.kicker, art.headline) == ("Fixture: Kopfzeile", "Fixture", "Kopfzeile")
    for text in (art.teaser, *(block.text for block in art.blocks)):
        assert "\r" not in text
        assert unicodedata.is_normalized("NFC", text)
    assert all(block.text and block.text == block.text.strip() for block in art.blocks)


_TOKENS = [*"ab -–[]12>#:", "DIR ", "IMG ", "## ", "21 Oct 2024", "[1][", "Nord-", "und"]
_LINE = st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=12))
def test_arbitrary_articles_never_crash(lines: list[str]) -> None:
    text = taz("# taz.de -- K: H", "", *lines)
    try:
        art = parse_text(text)
    except NotAnArticle as exc:
        assert str(exc) in ("no article text after the header", "section menu, not an article")
    else:
        assert all(block.text == block.text.strip() and block.text for block in art.blocks)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcäöüß", min_size=1, max_size=12), min_size=1, max_size=40))
def test_words_survive_wrapping(words: list[str]) -> None:
    lines, current = [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > 30:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    assert body_of(*lines) == " ".join(words)


# --------------------------------------------------------------------------- rendered corpus


def test_rendered_corpus_files_parse(tmp_path: Path) -> None:
    if not RENDER_TOOL.exists() or not (SHARED / "corpus" / "news-de.jsonl.gz").exists():
        pytest.skip(f"render tool or corpus not found under {SHARED}")
    subprocess.run(
        [sys.executable, str(RENDER_TOOL), str(tmp_path), "--limit", "300"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    files = sorted(tmp_path.rglob("*.txt"))
    assert len(files) == 300
    for path in files:
        art = parse_file(path)
        assert art.title, path
        assert art.body, path
        assert art.date is not None, path
        assert art.id == path.stem
        assert "## " not in art.body, path
