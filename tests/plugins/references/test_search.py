"""Full-text search: safe query building, ranking, filters, identifiers, the core hook."""

from __future__ import annotations

import pytest

from plugins.references.core import Directory, Identifiers
from plugins.references.core.search import fts_query
from smd_desktop.core.ids import identity_text
from smd_desktop.core.profile import Profile

from .support import draft, sync


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shure", '"shure"*'),
        ("  Shure   SM7B ", '"Shure"* "SM7B"*'),
        ("10.1000/xyz123", '"10 1000 xyz123"*'),
        ('title:"x" OR NOT y*', '"title x"* "OR"* "NOT"* "y"*'),
        ('" ( ) * - ^ NEAR(', '"NEAR"*'),
        ("_ -- !!", None),
        ("", None),
        ("Café crème", '"Café"* "crème"*'),
    ],
)
def test_typed_text_becomes_quoted_phrases_only(text: str, expected: str | None) -> None:
    assert fts_query(text) == expected


def test_fts_syntax_in_the_query_is_plain_text(alice_dir: Directory) -> None:
    entry = alice_dir.add(draft(title="NOT a title OR near x"))
    cases = {
        "zzz OR title": False,  # OR is a word here, not an operator
        "title NOT near": True,  # and NOT excludes nothing
        "NEAR(title x)": False,  # a phrase "near title x", not NEAR()
        'a" OR "b': False,
        "title:x": False,  # no column filter: the phrase "title x"
        "-x": True,
        '"': True,  # no word at all: every entry
        "*": True,
    }

    found = {text: [f.entry.id for f in alice_dir.search(text)] for text in cases}

    assert found == {text: [entry.id] if hit else [] for text, hit in cases.items()}


def test_title_matches_rank_above_note_matches(alice_dir: Directory) -> None:
    desk = alice_dir.add(
        draft(title="Standing desk", url="https://desk.example/", note="Holds the Rode arm.")
    )
    mic = alice_dir.add(draft(title="Rode PodMic", url="https://rode.com/podmic"))

    found = alice_dir.search("rode")

    assert [f.entry.id for f in found] == [mic.id, desk.id]
    assert found[0].score == 1.0
    assert 0.0 < found[1].score < 1.0


def test_every_word_must_match_and_words_match_as_prefixes(alice_dir: Directory) -> None:
    mic = alice_dir.add(draft(title="Shure SM7B microphone"))
    alice_dir.add(draft(title="Shure headphones", url="https://www.shure.com/srh840"))

    assert [f.entry.id for f in alice_dir.search("shure micro")] == [mic.id]
    assert alice_dir.search("shure guitar") == []


def test_filters_by_category_prefix_tag_and_author(
    alice: Profile, alice_dir: Directory, bob: Profile, bob_dir: Directory
) -> None:
    mic = alice_dir.add(draft(title="Gear mic", category=("Audio", "Microphones"), tags=("voice",)))
    iface = alice_dir.add(
        draft(title="Gear interface", url="https://i.example/", category=("Audio",))
    )
    alice_dir.add(draft(title="Gear book", url="https://b.example/", category=("Audiobooks",)))
    sync(alice, bob)
    mine = bob_dir.add(draft(title="Gear stand", url="https://s.example/", category=("Audio",)))

    def ids(**filters: object) -> set[bytes]:
        return {f.entry.id for f in bob_dir.search("gear", **filters)}  # type: ignore[arg-type]

    assert ids(category="audio") == {mic.id, iface.id, mine.id}
    assert ids(category=" Audio / microphones ") == {mic.id}
    assert ids(category="Audio/Micro") == set()
    assert ids(tag="#Voice") == {mic.id}
    assert ids(author=bob.identity) == {mine.id}
    assert ids(author=alice.identity, category="Audio") == {mic.id, iface.id}


def test_a_search_without_words_lists_the_filtered_entries_by_title(alice_dir: Directory) -> None:
    b = alice_dir.add(draft(title="b-thing", url="https://b.example/", category=("X",)))
    a = alice_dir.add(draft(title="A-thing", url="https://a.example/", category=("X",)))
    alice_dir.add(draft(title="other", url="https://o.example/"))

    found = alice_dir.search("", category="x")

    assert [(f.entry.id, f.score) for f in found] == [(a.id, 1.0), (b.id, 1.0)]


def test_identifiers_are_searchable_an_isbn_in_both_forms(alice_dir: Directory) -> None:
    book = alice_dir.add(
        draft(title="A book", url="https://books.example/1", ids=Identifiers(isbn="0306406152"))
    )
    paper = alice_dir.add(
        draft(
            title="A paper",
            url="https://doi.org/10.1038/nphys1170",
            ids=Identifiers(doi="10.1038/nphys1170"),
        )
    )

    assert [f.entry.id for f in alice_dir.search("9780306406157")] == [book.id]
    assert [f.entry.id for f in alice_dir.search("0306406152")] == [book.id]
    assert [f.entry.id for f in alice_dir.search("10.1038/nphys1170")] == [paper.id]


def test_the_core_search_hook_returns_hits_and_honours_filters(
    alice: Profile, alice_dir: Directory
) -> None:
    entry = alice_dir.add(draft(category=("Audio",), note="A dynamic microphone for voice."))

    (hit,) = alice.search("dynamic", category="audio", author=identity_text(alice.identity))
    assert (hit.plugin, hit.kind, hit.record_id, hit.title, hit.score) == (
        "references",
        "entry",
        entry.id,
        "Shure SM7B",
        1.0,
    )
    assert "dynamic" in hit.snippet
    assert alice.search("dynamic", category="video") == []
    assert alice.search("dynamic", author="not-an-id") == []
    assert alice.search("dynamic", channel="x") == []  # a filter this provider does not know
    assert alice.plugins.is_active("references")  # odd input never disables the plugin


def test_blocked_people_are_left_out_of_search(
    alice: Profile, alice_dir: Directory, bob: Profile, bob_dir: Directory
) -> None:
    alice_dir.add(draft())
    sync(alice, bob)
    assert len(bob_dir.search("shure")) == 1

    bob.block(alice.identity)

    assert bob_dir.search("shure") == []
    assert bob_dir.all_entries() == []


def test_a_removed_entrys_words_leave_the_full_text_index(
    alice: Profile, alice_dir: Directory
) -> None:
    alice_dir.add(draft(title="Kept", url="https://kept.example/", note="wombatkeep"))
    gone = alice_dir.add(draft(note="zzyzxsecretword"))

    def indexed(word: bytes) -> bool:
        with alice.store.reading() as conn:
            blocks = [bytes(r[0]) for r in conn.execute("SELECT block FROM references_fts_data")]
        return any(word in block for block in blocks)

    assert indexed(b"zzyzxsecretword") and indexed(b"wombatkeep")
    alice_dir.remove(gone.id)

    assert not indexed(b"zzyzxsecretword")  # FTS5 secure-delete: not left in old segments
    assert indexed(b"wombatkeep")
