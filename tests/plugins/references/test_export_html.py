"""The static HTML export: exact structure, disclosure text, rel="sponsored", escaping."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from plugins.references.core import AffiliateLink, Directory, EntryView
from plugins.references.core.export_html import render_html
from smd_desktop.core.ids import IdentityKey, RecordId

from .support import draft

VOID = {"meta", "br"}
ME = IdentityKey(bytes(32))
AFFILIATE_URL = "https://amzn.example/x?tag=me-20&l=1"


class Outline(HTMLParser):
    """The document as (event, tag or text, attrs) triples; checks tags are balanced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str, dict[str, str | None]]] = []
        self.doctype = ""
        self._open: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, dict(attrs)))
        if tag not in VOID:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self._open.pop() == tag, f"</{tag}> closes something else"
        self.events.append(("end", tag, {}))

    def handle_data(self, data: str) -> None:
        if data.strip() and (not self._open or self._open[-1] != "style"):
            self.events.append(("text", data.strip(), {}))

    def body(self) -> list[tuple[str, str, dict[str, str | None]]]:
        """The events inside <main>, after the intro paragraph."""
        start = next(i for i, e in enumerate(self.events) if e[2].get("class") == "intro")
        end = next(i for i, e in enumerate(self.events) if e[1] == "footer")
        return self.events[start + 3 : end]


def parse(page: str) -> Outline:
    outline = Outline()
    outline.feed(page)
    outline.close()
    assert outline._open == []
    return outline


def view(n: int, title: str, **kw: object) -> EntryView:
    fields: dict[str, object] = {
        "id": RecordId(bytes([n]) * 32),
        "author": ME,
        "timestamp": n,
        "slug": f"e{n}",
        "title": title,
        "url": f"https://e{n}.example/",
        "disclosures": (),
    }
    fields.update(kw)
    return EntryView(**fields)  # type: ignore[arg-type]


def test_entries_are_grouped_by_category_with_disclosures_and_sponsored_links() -> None:
    entries = [
        view(
            1,
            "Shure SM7B",
            category=("Audio", "Microphones"),
            note="Warm.\nForgiving.",
            verdict="recommend",
            since="2019-03",
            still_using=True,
            disclosures=("affiliate", "free"),
            affiliate=(AffiliateLink("Amazon", AFFILIATE_URL),),
            tags=("podcast",),
        ),
        view(2, "Desk", disclosures=("owner", "sponsored")),
        view(3, "audio interface", category=("Audio",)),
    ]

    outline = parse(render_html(entries, owner="Alice", owner_id="z6MkAlice"))

    assert outline.doctype == "DOCTYPE html"
    assert outline.events[0] == ("start", "html", {"lang": "en"})
    assert ("text", "Alice's resources", {}) in outline.events
    assert outline.body() == [
        ("start", "section", {"class": "category"}),
        ("start", "h2", {}), ("text", "Audio", {}), ("end", "h2", {}),
        ("start", "article", {"class": "entry", "id": "e3"}),
        ("start", "h3", {}), ("start", "a", {"href": "https://e3.example/"}),
        ("text", "audio interface", {}), ("end", "a", {}), ("end", "h3", {}),
        ("end", "article", {}),
        ("end", "section", {}),
        ("start", "section", {"class": "category"}),
        ("start", "h2", {}), ("text", "Audio / Microphones", {}), ("end", "h2", {}),
        ("start", "article", {"class": "entry", "id": "e1"}),
        ("start", "h3", {}), ("start", "a", {"href": "https://e1.example/"}),
        ("text", "Shure SM7B", {}), ("end", "a", {}), ("end", "h3", {}),
        ("start", "p", {"class": "meta"}),
        ("text", "Verdict: Recommended · Using it since 2019-03", {}),
        ("end", "p", {}),
        ("start", "p", {"class": "note"}),
        ("text", "Warm.", {}), ("start", "br", {}), ("text", "Forgiving.", {}),
        ("end", "p", {}),
        ("start", "ul", {"class": "disclosures"}),
        ("start", "li", {}), ("text", "I earn a commission if you buy through this link.", {}),
        ("end", "li", {}),
        ("start", "li", {}), ("text", "I received this for free.", {}), ("end", "li", {}),
        ("end", "ul", {}),
        ("start", "p", {"class": "affiliate"}), ("text", "Affiliate links:", {}),
        ("start", "a", {"href": AFFILIATE_URL, "rel": "sponsored noopener"}),
        ("text", "Amazon", {}), ("end", "a", {}),
        ("end", "p", {}),
        ("start", "p", {"class": "tags"}), ("text", "#podcast", {}), ("end", "p", {}),
        ("end", "article", {}),
        ("end", "section", {}),
        ("start", "section", {"class": "category"}),
        ("start", "h2", {}), ("text", "Other", {}), ("end", "h2", {}),
        ("start", "article", {"class": "entry", "id": "e2"}),
        ("start", "h3", {}), ("start", "a", {"href": "https://e2.example/"}),
        ("text", "Desk", {}), ("end", "a", {}), ("end", "h3", {}),
        ("start", "ul", {"class": "disclosures"}),
        ("start", "li", {}), ("text", "Sponsored: I was paid to feature this.", {}),
        ("end", "li", {}),
        ("start", "li", {}), ("text", "I own or work for this company.", {}), ("end", "li", {}),
        ("end", "ul", {}),
        ("end", "article", {}),
        ("end", "section", {}),
    ]  # fmt: skip


def test_every_text_is_escaped_and_the_page_is_self_contained() -> None:
    hostile = '<script>alert("x")</script> & co'
    url = "https://x.example/?a=1&b='c'"
    entry = view(
        1,
        hostile,
        url=url,
        note=hostile,
        category=(hostile,),
        affiliate=(AffiliateLink(hostile, url + "&tag=1"),),
        disclosures=("affiliate",),
    )

    page = render_html([entry], owner=hostile, owner_id="z6Mk")
    outline = parse(page)

    assert "<script" not in page
    assert "src=" not in page and "<link" not in page  # nothing fetched from elsewhere
    assert ("start", "a", {"href": url}) in outline.events
    texts = [e[1] for e in outline.events if e[0] == "text"]
    assert texts.count(hostile) == 4  # category heading, title, note, network
    assert f"{hostile}'s resources" in texts


def test_export_writes_my_current_entries_only(alice_dir: Directory, tmp_path: Path) -> None:
    first = alice_dir.add(draft(note="old note"))
    alice_dir.edit(first.id, note="new note")
    path = tmp_path / "resources.html"

    assert alice_dir.export_html(path) == 1

    outline = parse(path.read_text(encoding="utf-8"))
    texts = [e[1] for e in outline.events if e[0] == "text"]
    assert "new note" in texts and "old note" not in texts
    assert "Alice's resources" in texts
