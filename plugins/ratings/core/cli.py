"""``smd ratings ...``: deals, double-blind ratings, trust, reputation, imports, credentials.

Every command opens the profile through the :class:`CliContext` (after checking its arguments,
so mistakes are reported before a passphrase is asked for), publishes the reveals that are due
(:meth:`Ratings.reveal_due`), works through :class:`Ratings`, and reports failures as one-line
:class:`UserError` sentences. ``verify-credential`` needs no profile.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from smd_desktop.core.errors import UserError
from smd_desktop.core.ids import identity_text, parse_identity, parse_record_id
from smd_desktop.core.plugins import CliContext
from smd_desktop.core.profile import Profile

from .cli_format import (
    deal_json,
    explanation_json,
    format_deal,
    format_explanation,
    format_import,
    format_rating,
    import_json,
    rating_json,
)
from .facade import Ratings
from .facade_reputation import verify_credential_summary
from .imports import Platform
from .params import GENERAL, TRUST_WEIGHTS
from .records import ASPECTS


class Session:
    """One command's access to the profile, opened on first use."""

    def __init__(self, cli: CliContext, args: argparse.Namespace) -> None:
        self.cli = cli
        self._args = args
        self._profile: Profile | None = None
        self._ratings: Ratings | None = None
        self.reveal_first = True
        """Publish the reveals that are due when the profile is opened."""

    @property
    def ratings(self) -> Ratings:
        """The profile's Ratings facade (unlocks the profile, then reveals what is due)."""
        if self._ratings is None:
            self._profile = self.cli.open_profile(self._args)
            self._ratings = Ratings(self._profile)
            if self.reveal_first:
                self._ratings.reveal_due()
        return self._ratings

    def close(self) -> None:
        """Close the profile if it was opened."""
        if self._profile is not None:
            self._profile.close()


type Work = Callable[[argparse.Namespace, Session], int]


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cli: CliContext
) -> None:
    """Add ``smd ratings`` and its actions."""
    help_ = "deals, double-blind ratings, trust and reputation from your own seat"
    top = subparsers.add_parser("ratings", help=help_, description=help_)
    top.set_defaults(func=_usage(top))
    sub = top.add_subparsers(metavar="ACTION")

    def command(
        parent: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        help_text: str,
        work: Work,
    ) -> argparse.ArgumentParser:
        parser = parent.add_parser(name, help=help_text, description=help_text)

        def run(args: argparse.Namespace) -> int:
            session = Session(cli, args)
            try:
                return work(args, session)
            finally:
                session.close()

        parser.set_defaults(func=run)
        return parser

    deal = sub.add_parser("deal", help="offer, list, accept or decline deals")
    deal.set_defaults(func=_usage(deal))
    dsub = deal.add_subparsers(metavar="ACTION")
    p = command(dsub, "offer", "offer a deal to someone; prints its id", cmd_offer)
    p.add_argument("identity", metavar="ID", help="the other party (z6Mk... or did:key:...)")
    p.add_argument("--what", required=True, help="what is exchanged, in a sentence")
    p.add_argument("--context", default="p2p-sale", help="e.g. p2p-sale, service, rental")
    p.add_argument("--amount", help="e.g. 250.00 (with --currency)")
    p.add_argument("--currency", help="e.g. EUR (with --amount)")
    p.add_argument("--link", help="an http(s) link to what is exchanged")
    p.add_argument("--ttl-days", type=int, default=7, help="days the offer stays open (1-90)")
    p = command(dsub, "list", "list your deals", cmd_deals)
    p.add_argument("--json", action="store_true")
    for name, help_text, work in (
        ("accept", "accept a deal offered to you (publishes the receipt)", cmd_accept),
        ("decline", "decline a deal offered to you (or withdraw yours)", cmd_decline),
    ):
        command(dsub, name, help_text, work).add_argument("deal_id", metavar="DEAL_ID")

    p = command(sub, "rate", "rate the other party of an active deal (sealed)", cmd_rate)
    p.add_argument("deal_id", metavar="DEAL_ID")
    p.add_argument("--overall", type=int, required=True, help="1 to 5 stars")
    for aspect in ASPECTS:
        p.add_argument(f"--{aspect.replace('_', '-')}", type=int, dest=aspect, help="1 to 5")
    p.add_argument("--text", default="", help="what you want to say")
    command(sub, "reveal", "publish the reveals that are due", cmd_reveal)
    p = command(sub, "respond", "answer a rating of you, once", cmd_respond)
    p.add_argument("rating_id", metavar="RATING_ID")
    p.add_argument("text", metavar="TEXT")
    p = command(sub, "trust", "state (publicly) how far you trust someone", cmd_trust)
    p.add_argument("identity", metavar="ID")
    p.add_argument("--weight", type=int, help="-2 (do not trust) -1, 1, 2, 3 (fully)")
    p.add_argument("--context", default=None, help=f"e.g. p2p-sale (default: {GENERAL})")
    p.add_argument("--note", default=None)
    p.add_argument("--withdraw", action="store_true", help="delete your statement instead")
    p = command(sub, "list", "list your deals and the ratings you gave and received", cmd_list)
    p.add_argument("--json", action="store_true")
    p = command(sub, "score", "someone's reputation from your seat, explained", cmd_score)
    p.add_argument("identity", metavar="ID")
    p.add_argument("--context", default=GENERAL)
    p.add_argument("--paths", type=int, default=5, help="trust paths to show")
    p.add_argument("--json", action="store_true")
    p = command(sub, "import", "import a platform's rating file (whole)", cmd_import)
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--platform", required=True, choices=[str(x) for x in Platform])
    p.add_argument("--profile-url", required=True, help="your public profile on the platform")
    p.add_argument("--platform-name", help="the platform's name (csv files)")
    p.add_argument("--link", action="store_true", help="claim the account with a link token")
    p.add_argument("--json", action="store_true")
    p = command(sub, "witness", "publish what you saw on someone's platform profile", cmd_witness)
    p.add_argument("import_id", metavar="IMPORT_ID")
    seen = p.add_mutually_exclusive_group(required=True)
    seen.add_argument("--saw-token", dest="token_seen", action="store_true", default=None)
    seen.add_argument("--no-token", dest="token_seen", action="store_false")
    p.add_argument("--count", type=int, help="the rating count the profile shows")
    p.add_argument("--positive-bp", type=int, help="its positive share, in basis points")
    p.add_argument("--average-x100", type=int, help="its average times 100 (e.g. 487)")
    p.add_argument("--note", default=None)
    p = command(sub, "export-credentials", "write the ratings you received as VCs", cmd_export)
    p.add_argument("directory", metavar="DIR", type=Path)
    p = sub.add_parser(
        "verify-credential",
        help="check a rating credential file offline",
        description="check a rating credential file offline (exit 0 when valid)",
    )
    p.add_argument("file", metavar="FILE", type=Path)
    p.set_defaults(func=cmd_verify)


def _usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def usage(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 0

    return usage


# -- deals ------------------------------------------------------------------------------------


def cmd_offer(args: argparse.Namespace, session: Session) -> int:
    """Offer a deal."""
    to = parse_identity(args.identity)
    if (args.amount is None) != (args.currency is None):
        raise UserError("give --amount and --currency together")
    view = session.ratings.offer_deal(
        to,
        args.what,
        context=args.context,
        amount=args.amount,
        currency=args.currency,
        link=args.link,
        ttl_days=args.ttl_days,
    )
    print(view.deal_id.hex())
    return 0


def cmd_deals(args: argparse.Namespace, session: Session) -> int:
    """List deals."""
    deals = session.ratings.deals()
    if args.json:
        session.cli.print_json([deal_json(d) for d in deals])
    elif not deals:
        print("No deals.")
    else:
        print("\n".join(format_deal(d) for d in deals))
    return 0


def cmd_accept(args: argparse.Namespace, session: Session) -> int:
    """Accept an offer."""
    view = session.ratings.accept(parse_record_id(args.deal_id))
    print(f"Accepted: {view.terms.what} (deal {view.deal_id.hex()})")
    return 0


def cmd_decline(args: argparse.Namespace, session: Session) -> int:
    """Decline an offer."""
    view = session.ratings.decline(parse_record_id(args.deal_id))
    print(f"Declined: {view.terms.what}")
    return 0


# -- ratings ----------------------------------------------------------------------------------


def cmd_rate(args: argparse.Namespace, session: Session) -> int:
    """Rate a deal, sealed."""
    deal_id = parse_record_id(args.deal_id)
    aspects = {a: getattr(args, a) for a in ASPECTS if getattr(args, a) is not None}
    view = session.ratings.rate(deal_id, args.overall, aspects=aspects, text=args.text)
    state = view.my_rating.state
    print("Rated and revealed." if state == "revealed" else "Rated (sealed until revealed).")
    return 0


def cmd_reveal(args: argparse.Namespace, session: Session) -> int:
    """Reveal what is due, and say how many of mine stay sealed."""
    session.reveal_first = False
    ratings = session.ratings
    count = ratings.reveal_due()
    sealed = sum(1 for d in ratings.deals() if d.my_rating.state == "sealed")
    print(f"Revealed {count} rating{'s' if count != 1 else ''}; {sealed} still sealed.")
    return 0


def cmd_respond(args: argparse.Namespace, session: Session) -> int:
    """Respond to a rating."""
    view = session.ratings.respond(parse_record_id(args.rating_id), args.text)
    print(f"Responded to the rating by {view.rater_name or identity_text(view.rater)}.")
    return 0


def cmd_list(args: argparse.Namespace, session: Session) -> int:
    """Deals, ratings received and given."""
    ratings = session.ratings
    me = ratings.identity
    deals, received, given = ratings.deals(), ratings.ratings_about(me), ratings.ratings_by(me)
    if args.json:
        session.cli.print_json(
            {
                "deals": [deal_json(d) for d in deals],
                "received": [rating_json(r) for r in received],
                "given": [rating_json(r) for r in given],
                "sealed_about_me": ratings.sealed_count_about(me),
            }
        )
        return 0
    print("Deals:" if deals else "No deals.")
    for d in deals:
        print(format_deal(d))
    for title, found in (("Ratings you received:", received), ("Ratings you gave:", given)):
        if found:
            print(title)
            print("\n".join(format_rating(r) for r in found))
    return 0


# -- trust and reputation ---------------------------------------------------------------------


def cmd_trust(args: argparse.Namespace, session: Session) -> int:
    """State or withdraw trust."""
    trustee = parse_identity(args.identity)
    if args.withdraw:
        count = session.ratings.withdraw_trust(trustee, args.context)
        print(f"Withdrew {count} statement{'s' if count != 1 else ''}.")
        return 0
    if args.weight is None:
        raise UserError("give --weight (or --withdraw)")
    if args.weight not in TRUST_WEIGHTS:
        raise UserError(f"--weight must be one of {', '.join(map(str, sorted(TRUST_WEIGHTS)))}")
    view = session.ratings.trust(trustee, args.weight, context=args.context, note=args.note)
    who = view.trustee_name or identity_text(view.trustee)
    print(f"You trust {who} with weight {view.weight} for {view.context} (public).")
    return 0


def cmd_score(args: argparse.Namespace, session: Session) -> int:
    """Reputation with its explanation."""
    target = parse_identity(args.identity)
    found = session.ratings.explain(target, args.context, paths=args.paths)
    if args.json:
        session.cli.print_json(explanation_json(found))
    else:
        print(format_explanation(found))
    return 0


# -- imports and witnesses --------------------------------------------------------------------


def cmd_import(args: argparse.Namespace, session: Session) -> int:
    """Import a platform file."""
    view = session.ratings.import_file(
        args.file,
        args.platform,
        args.profile_url,
        link=args.link,
        platform_name=args.platform_name,
    )
    if args.json:
        session.cli.print_json(import_json(view))
        return 0
    print(format_import(view))
    if view.link_token:
        print(f"Place this token on {view.profile_url} so others can witness it:")
        print(f"  {view.link_token}")
    return 0


def cmd_witness(args: argparse.Namespace, session: Session) -> int:
    """Publish a witness."""
    import_id = parse_record_id(args.import_id)
    figures = None
    if args.count is not None:
        figures = {"count": args.count}
        if args.positive_bp is not None:
            figures["positive_bp"] = args.positive_bp
        if args.average_x100 is not None:
            figures["average_x100"] = args.average_x100
    elif args.positive_bp is not None or args.average_x100 is not None:
        raise UserError("give --count with the figures you saw")
    record_id = session.ratings.witness(
        import_id, token_seen=args.token_seen, figures_seen=figures, note=args.note
    )
    print(record_id.hex())
    return 0


# -- credentials ------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, session: Session) -> int:
    """Export received ratings as credentials."""
    paths = session.ratings.export_credentials(args.directory)
    print(f"Wrote {len(paths)} credential{'s' if len(paths) != 1 else ''} to {args.directory}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a credential file (no profile needed); errors exit 1 with the reason."""
    print(verify_credential_summary(args.file))
    return 0
