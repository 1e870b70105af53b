"""``smd refs ...``: the References Directory from the command line (scriptable, ``--json``).

Every command opens the profile through the :class:`CliContext`, works through
:class:`Directory`, and reports failures as one-line :class:`UserError` sentences.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smd_desktop.core.errors import UserError
from smd_desktop.core.ids import identity_text, parse_identity, parse_record_id
from smd_desktop.core.plugins import CliContext
from smd_desktop.core.profile import Profile

from .directory import Directory
from .drafts import check_slug, entry_content, parse_disclosures
from .export_html import disclosure_sentences
from .identifiers import KINDS, normalize_identifier
from .model import VERDICTS, AffiliateLink, EntryDetail, EntryDraft, EntryView, Identifiers
from .search import Found
from .urls import InvalidUrl, normalize_url


def entry_json(entry: EntryView, me: bytes) -> dict[str, Any]:
    """One entry of ``smd refs list/search --json``."""
    return {
        "id": entry.id.hex(),
        "author": identity_text(entry.author),
        "author_name": entry.author_name,
        "mine": entry.author == me,
        "slug": entry.slug,
        "title": entry.title,
        "url": entry.url,
        "category": entry.category_path,
        "category_segments": list(entry.category),
        "disclosures": list(entry.disclosures),
        "disclosure_text": disclosure_sentences(entry),
        "affiliate_links": [{"network": a.network, "url": a.url} for a in entry.affiliate],
        "note": entry.note,
        "tags": list(entry.tags),
        "identifiers": entry.ids.as_dict(),
        "since": entry.since,
        "until": entry.until,
        "still_using": entry.still_using,
        "verdict": entry.verdict,
        "timestamp": entry.timestamp,
    }


def _format(entry: EntryView, *, with_author: bool) -> str:
    head = entry.title
    if with_author:
        head += f"  ·  by {entry.author_name or identity_text(entry.author)}"
    if entry.category:
        head += f"  ·  {entry.category_path}"
    lines = [head, f"  {entry.url}"]
    if entry.disclosures:
        lines.append(f"  discloses: {', '.join(entry.disclosures)}")
    lines.extend(f"  affiliate ({a.network}): {a.url}" for a in entry.affiliate)
    lines.append(f"  id {entry.id.hex()}")
    return "\n".join(lines)


# -- argument helpers -----------------------------------------------------------------------


def _affiliate(args: argparse.Namespace) -> tuple[AffiliateLink, ...] | None:
    urls: list[str] = args.affiliate_url or []
    networks: list[str] = args.affiliate_network or []
    if not urls:
        if networks:
            raise UserError("--affiliate-network needs an --affiliate-url")
        return None
    if networks and len(networks) != len(urls):
        raise UserError("give one --affiliate-network for each --affiliate-url")
    if not networks:  # name each link by its host
        networks = [_host_of(u) for u in urls]
    return tuple(AffiliateLink(n, u) for n, u in zip(networks, urls, strict=True))


def _host_of(url: str) -> str:
    try:
        return urlsplit(url.strip()).hostname or url.strip()
    except ValueError:
        return url.strip()


def _disclosures(args: argparse.Namespace) -> frozenset[str] | None:
    if args.disclose is None:
        return None
    return frozenset().union(*(parse_disclosures(text) for text in args.disclose))


def _category(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split("/") if s.strip())


def _ids(args: argparse.Namespace, current: Identifiers) -> Identifiers:
    values = current.as_dict()
    for kind in KINDS:
        given = getattr(args, kind)
        if given is not None:
            values[kind] = given
    return Identifiers(**{k: v for k, v in values.items() if v.strip()})


def _check_affiliate_disclosed(
    links: tuple[AffiliateLink, ...] | None, flags: frozenset[str] | None
) -> None:
    if links and (flags is None or "affiliate" not in flags):
        raise UserError("--affiliate-url needs --disclose affiliate")


class Session:
    """One command's access to the profile, opened on first use: mistakes in the arguments
    are reported before any passphrase is asked for."""

    def __init__(self, cli: CliContext, args: argparse.Namespace) -> None:
        self.cli = cli
        self._args = args
        self._profile: Profile | None = None
        self._directory: Directory | None = None

    @property
    def directory(self) -> Directory:
        """The profile's directory (unlocks the profile the first time)."""
        if self._directory is None:
            self._profile = self.cli.open_profile(self._args)
            self._directory = Directory(self._profile)
        return self._directory

    def close(self) -> None:
        """Close the profile if it was opened."""
        if self._profile is not None:
            self._profile.close()


type Work = Callable[[argparse.Namespace, Session], int]


# -- commands -------------------------------------------------------------------------------


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cli: CliContext
) -> None:
    """Add ``smd refs`` and its actions."""
    help_ = "your References Directory: add, list, search, endorse, export"
    refs = subparsers.add_parser("refs", help=help_, description=help_)

    def usage(_args: argparse.Namespace) -> int:
        refs.print_help()
        return 0

    refs.set_defaults(func=usage)
    sub = refs.add_subparsers(metavar="ACTION")

    def command(name: str, help_text: str, work: Work) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text, description=help_text)

        def run(args: argparse.Namespace) -> int:
            session = Session(cli, args)
            try:
                return work(args, session)
            finally:
                session.close()

        parser.set_defaults(func=run)
        return parser

    p = command("add", "publish a new entry; prints its id", cmd_add)
    _entry_options(p, adding=True)
    p = command("update", "publish a new version of one of your entries; prints its id", cmd_update)
    p.add_argument("entry_id", metavar="ENTRY_ID")
    _entry_options(p, adding=False)
    p = command("list", "list your entries (or someone's, or everyone's)", cmd_list)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--author", help="an identity id: list their directory")
    who.add_argument("--all", action="store_true", help="every directory you hold")
    p.add_argument("--json", action="store_true")
    p = command("show", "show an entry with its endorsements", cmd_show)
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p.add_argument("--json", action="store_true")
    p = command("search", "search every directory you hold", cmd_search)
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--category", help="a category path: entries filed there or below")
    p.add_argument("--tag", help="entries with this tag")
    p.add_argument("--author", help="an identity id: only their entries")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p = command("endorse", "vouch for someone's entry; prints the endorsement id", cmd_endorse)
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p.add_argument("--note", default="", help="why you vouch for it")
    p = command("unendorse", "withdraw your endorsement of an entry", cmd_unendorse)
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p = command("remove", "delete one of your entries (every version, everywhere)", cmd_remove)
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p = command("export-html", "write your directory as a static HTML page", cmd_export_html)
    p.add_argument("file", metavar="FILE", type=Path)


def _entry_options(p: argparse.ArgumentParser, *, adding: bool) -> None:
    p.add_argument("--title", required=adding)
    p.add_argument("--url", required=adding, help="the canonical http(s) URL (no affiliate tag)")
    if adding:
        p.add_argument("--slug", help="stable name (default: made from the title)")
    p.add_argument("--category", help="a path such as Audio/Microphones")
    p.add_argument("--note", help="your personal note")
    p.add_argument("--tag", action="append", help="a tag (repeatable)")
    p.add_argument("--affiliate-url", action="append", help="an affiliate link (repeatable)")
    p.add_argument("--affiliate-network", action="append", help="who pays for each --affiliate-url")
    p.add_argument(
        "--disclose",
        action="append",
        metavar="FLAGS",
        help="comma-separated: affiliate, sponsored, free, owner (or none)",
    )
    p.add_argument("--verdict", help=f"one of {', '.join(VERDICTS)}")
    using = p.add_mutually_exclusive_group()
    using.add_argument("--still-using", dest="still_using", action="store_true", default=None)
    using.add_argument("--no-longer-using", dest="still_using", action="store_false")
    p.add_argument("--since", help="when you started using it: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--until", help="when you stopped (with --no-longer-using)")
    p.add_argument("--gtin", "--ean", "--id-gtin", dest="gtin", help="GTIN/EAN/UPC barcode")
    p.add_argument("--isbn", "--id-isbn", dest="isbn", help="ISBN-10 or ISBN-13")
    p.add_argument("--asin", "--id-asin", dest="asin", help="Amazon ASIN")
    p.add_argument("--doi", "--id-doi", dest="doi", help="DOI")
    if not adding:
        p.add_argument("--no-tags", action="store_true", help="remove every tag")
        p.add_argument("--no-affiliate", action="store_true", help="remove the affiliate links")


def cmd_add(args: argparse.Namespace, session: Session) -> int:
    """Publish a new entry."""
    links, flags = _affiliate(args), _disclosures(args)
    _check_affiliate_disclosed(links, flags)
    draft = EntryDraft(
        title=args.title,
        url=args.url,
        slug=args.slug,
        category=_category(args.category or ""),
        note=args.note or "",
        tags=tuple(args.tag or ()),
        ids=_ids(args, Identifiers()),
        since=args.since,
        until=args.until,
        still_using=args.still_using,
        verdict=args.verdict,
        affiliate=links or (),
        disclosures=flags or frozenset(),
    )
    entry_content(draft, check_slug(draft.slug) if draft.slug else "entry")  # before unlocking
    print(session.directory.add(draft).id.hex())
    return 0


def _checked_url(text: str, *, canonical: bool) -> None:
    try:
        normalize_url(text, strip_tracking=canonical)
    except InvalidUrl as exc:
        what = "URL" if canonical else "affiliate URL"
        raise UserError(f"invalid {what} {text.strip()!r}: {exc}") from exc


def _precheck(args: argparse.Namespace) -> None:
    """Check what can be checked of an update's arguments without the profile."""
    links, flags = _affiliate(args), _disclosures(args)
    if flags is not None:  # else the current flags apply: checked once they are known
        _check_affiliate_disclosed(links, flags)
    if args.url is not None:
        _checked_url(args.url, canonical=True)
    for link in links or ():
        _checked_url(link.url, canonical=False)
    for kind in KINDS:
        if (value := getattr(args, kind)) is not None and value.strip():
            normalize_identifier(kind, value)


def cmd_update(args: argparse.Namespace, session: Session) -> int:
    """Publish a new version with the fields given changed ("" clears a text field)."""
    entry_id = parse_record_id(args.entry_id)
    _precheck(args)
    directory = session.directory
    current = directory.entry(entry_id)
    changes: dict[str, Any] = {}
    for name in ("title", "url", "note", "since", "until", "verdict"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value if value.strip() or name in ("title", "url", "note") else None
    if args.category is not None:
        changes["category"] = _category(args.category)
    if args.still_using is not None:
        changes["still_using"] = args.still_using
    if args.tag or args.no_tags:
        changes["tags"] = () if args.no_tags else tuple(args.tag)
    changes["ids"] = _ids(args, current.ids)
    links, flags = _affiliate(args), _disclosures(args)
    if links is not None or args.no_affiliate:
        changes["affiliate"] = () if args.no_affiliate else links
    if flags is not None:
        changes["disclosures"] = flags
    final_flags = changes.get("disclosures", frozenset(current.disclosures))
    if links is None and not args.no_affiliate and current.affiliate:
        if "affiliate" not in final_flags:
            raise UserError(
                "the entry has affiliate links: keep the affiliate disclosure or add --no-affiliate"
            )
    else:
        _check_affiliate_disclosed(links, final_flags)
    print(directory.edit(entry_id, **changes).id.hex())
    return 0


def cmd_list(args: argparse.Namespace, session: Session) -> int:
    """List entries."""
    author = parse_identity(args.author) if args.author else None
    directory, cli = session.directory, session.cli
    entries = directory.all_entries() if args.all else directory.entries(author)
    if args.json:
        cli.print_json([entry_json(e, directory.identity) for e in entries])
    elif not entries:
        print("No entries.")
    else:
        many = args.all or args.author is not None
        print("\n".join(_format(e, with_author=many) for e in entries))
    return 0


def cmd_show(args: argparse.Namespace, session: Session) -> int:
    """Show one entry and who endorses it."""
    entry_id = parse_record_id(args.entry_id)
    directory = session.directory
    detail = directory.detail(entry_id)
    if args.json:
        session.cli.print_json(_detail_json(detail, directory.identity))
        return 0
    entry = detail.entry
    print(_format(entry, with_author=True))
    if entry.note:
        print("\n".join(f"  | {line}" for line in entry.note.split("\n")))
    for e in detail.endorsements:
        who = e.endorser_name or identity_text(e.endorser)
        line = f"  endorsed by {who}{' (followed)' if e.followed else ''}"
        print(f"{line}: {e.note}" if e.note else line)
    return 0


def _detail_json(detail: EntryDetail, me: bytes) -> dict[str, Any]:
    data = entry_json(detail.entry, me)
    data["versions"] = detail.versions
    data["endorsements"] = [
        {
            "id": e.id.hex(),
            "endorser": identity_text(e.endorser),
            "endorser_name": e.endorser_name,
            "followed": e.followed,
            "note": e.note,
            "timestamp": e.timestamp,
        }
        for e in detail.endorsements
    ]
    return data


def cmd_search(args: argparse.Namespace, session: Session) -> int:
    """Search every directory held."""
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    author = parse_identity(args.author) if args.author else None
    directory = session.directory
    found: list[Found] = directory.search(
        args.query, category=args.category, tag=args.tag, author=author, limit=args.limit
    )
    if args.json:
        session.cli.print_json(
            [{**entry_json(f.entry, directory.identity), "score": round(f.score, 4)} for f in found]
        )
    elif not found:
        print("No matches.")
    else:
        print("\n".join(_format(f.entry, with_author=True) for f in found))
    return 0


def cmd_endorse(args: argparse.Namespace, session: Session) -> int:
    """Endorse an entry."""
    entry_id = parse_record_id(args.entry_id)
    print(session.directory.endorse(entry_id, args.note).hex())
    return 0


def cmd_unendorse(args: argparse.Namespace, session: Session) -> int:
    """Withdraw an endorsement."""
    entry_id = parse_record_id(args.entry_id)
    entry = session.directory.entry(entry_id)
    session.directory.unendorse(entry.id)
    print(f"Withdrew your endorsement of {entry.title}")
    return 0


def cmd_remove(args: argparse.Namespace, session: Session) -> int:
    """Delete one of my entries."""
    entry_id = parse_record_id(args.entry_id)
    title = session.directory.entry(entry_id).title
    count = session.directory.remove(entry_id)
    print(f"Removed {title} ({count} version{'s' if count != 1 else ''})")
    return 0


def cmd_export_html(args: argparse.Namespace, session: Session) -> int:
    """Write my directory as HTML."""
    count = session.directory.export_html(args.file)
    print(f"Wrote {count} entr{'ies' if count != 1 else 'y'} to {args.file}")
    return 0
