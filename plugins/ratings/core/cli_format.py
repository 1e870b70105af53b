"""How ``smd ratings`` shows views: JSON (ids as hex, identities as ``z6Mk...``) and text."""

from __future__ import annotations

from typing import Any

from smd_desktop.core.ids import identity_text

from .views import DealView, ExplanationView, ImportView, RatingState, RatingView, ReputationView


def _who(identity: bytes, name: str | None) -> str:
    return name or identity_text(identity)  # type: ignore[arg-type]


def rating_json(r: RatingView) -> dict[str, Any]:
    """One revealed rating."""
    return {
        "id": r.id.hex(),
        "sealed_id": r.sealed_id.hex(),
        "deal": r.deal_id.hex(),
        "rater": identity_text(r.rater),
        "rater_name": r.rater_name,
        "ratee": identity_text(r.ratee),
        "ratee_name": r.ratee_name,
        "context": r.context,
        "what": r.what,
        "overall": r.overall,
        "aspects": dict(r.aspects),
        "text": r.text,
        "sealed_at": r.sealed_at,
        "revealed_at": r.revealed_at,
        "response": r.response,
        "written_after_seeing": r.written_after_seeing,
        "has_credential": r.has_credential,
    }


def _state_json(state: RatingState) -> dict[str, Any]:
    return {
        "state": state.state,
        "sealed_at": state.sealed_at,
        "rating": None if state.rating is None else rating_json(state.rating),
    }


def deal_json(d: DealView) -> dict[str, Any]:
    """One deal."""
    t = d.terms
    return {
        "id": d.deal_id.hex(),
        "status": d.status,
        "role": d.role,
        "other": identity_text(d.other),
        "other_name": d.other_name,
        "what": t.what,
        "context": t.context,
        "amount": t.amount,
        "currency": t.currency,
        "link": t.link,
        "offered": t.offered,
        "expires": t.expires,
        "my_rating": _state_json(d.my_rating),
        "their_rating": _state_json(d.their_rating),
    }


def format_deal(d: DealView) -> str:
    """Two lines: what, with whom, status; the id and both ratings' states."""
    price = f"  ·  {d.terms.amount} {d.terms.currency}" if d.terms.amount else ""
    verb = "with" if d.role == "offerer" else "from"
    return (
        f"[{d.status}] {d.terms.what}{price}  ·  {verb} {_who(d.other, d.other_name)}"
        f"  ·  {d.terms.context}\n  id {d.deal_id.hex()}  ·  you: {d.my_rating.state}"
        f"  ·  them: {d.their_rating.state}"
    )


def format_rating(r: RatingView) -> str:
    """A rating with its response."""
    lines = [
        f"  {'★' * r.overall}{'☆' * (5 - r.overall)}  {_who(r.rater, r.rater_name)} -> "
        f"{_who(r.ratee, r.ratee_name)}  ·  {r.what} ({r.context})"
    ]
    if r.aspects:
        lines.append("    " + ", ".join(f"{k} {v}" for k, v in sorted(r.aspects.items())))
    if r.text:
        lines.append(f"    | {r.text}")
    if r.written_after_seeing:
        lines.append("    (written after seeing the other side's rating)")
    if r.response:
        lines.append(f"    response: {r.response}")
    lines.append(f"    id {r.id.hex()}")
    return "\n".join(lines)


def import_json(i: ImportView) -> dict[str, Any]:
    """One imported summary."""
    return {
        "id": i.id.hex(),
        "subject": identity_text(i.subject),
        "platform": i.platform,
        "platform_name": i.platform_name,
        "profile_url": i.profile_url,
        "count": i.count,
        "positive_bp": i.positive_bp,
        "average_x100": i.average_x100,
        "period": {"from": i.period[0], "until": i.period[1]},
        "categories": list(i.categories),
        "link_token": i.link_token,
        "assurance": i.assurance,
        "witnesses": i.witnesses,
    }


def format_import(i: ImportView) -> str:
    """One line: platform, figures, assurance."""
    figures = [f"{i.count} ratings"]
    if i.positive_bp is not None:
        figures.append(f"{i.positive_bp / 100:.2f}% positive")
    if i.average_x100 is not None:
        figures.append(f"average {i.average_x100 / 100:.2f}")
    return (
        f"{i.platform_name or i.platform}: {', '.join(figures)}  ·  [{i.assurance}]  ·  "
        f"{i.profile_url}\n  id {i.id.hex()}"
    )


def reputation_json(r: ReputationView) -> dict[str, Any]:
    """The score and what counted."""
    return {
        "target": identity_text(r.target),
        "target_name": r.target_name,
        "context": r.context,
        "score": round(r.score, 4),
        "votes": round(r.votes, 4),
        "prior": r.prior,
        "in_network": r.in_network,
        "outside": r.outside,
        "sealed": r.sealed,
        "positive_share": None if r.positive_share is None else round(r.positive_share, 4),
        "positive_lower_bound": round(r.positive_lower_bound, 4),
        "imported": [import_json(i) for i in r.imported],
    }


def explanation_json(e: ExplanationView) -> dict[str, Any]:
    """``smd ratings score --json``: the reputation, the paths and the contributions."""
    data = reputation_json(e.reputation)
    data["target_mass"] = e.target_mass
    data["paths"] = [
        {
            "people": [{"id": identity_text(p), "name": n} for p, n in path.people],
            "mass": path.mass,
        }
        for path in e.paths
    ]
    data["paths_complete"] = e.complete
    data["contributions"] = [
        {
            "rater": identity_text(c.rater),
            "rater_name": c.rater_name,
            "ratings": c.ratings,
            "mean": c.mean,
            "mass": c.mass,
            "weight": round(c.weight, 6),
            "share": round(c.share, 6),
        }
        for c in e.contributions
    ]
    return data


def format_explanation(e: ExplanationView) -> str:
    """The score line, "n from your network, m from outside", paths and contributions."""
    r = e.reputation
    who = _who(r.target, r.target_name)
    lines = [
        f"{who}: {r.score:.2f} / 5 ({r.context}, from your seat)",
        f"  {r.in_network} rating{'s' if r.in_network != 1 else ''} from your network, "
        f"{r.outside} from outside" + (f", {r.sealed} still sealed" if r.sealed else ""),
    ]
    if r.positive_share is not None:
        lines.append(
            f"  {r.positive_share:.0%} positive (at least {r.positive_lower_bound:.0%}), "
            f"{r.votes:.2f} votes"
        )
    if e.paths:
        lines.append("  trust paths:")
        for path in e.paths:
            chain = " -> ".join(_who(p, n) for p, n in path.people[1:])
            if not chain:  # the viewer's own score: the walk stops where it starts
                lines.append(f"    you yourself  ({path.mass:.4f})")
                continue
            lines.append(f"    via {chain}  ({path.mass:.4f})")
    if e.contributions:
        lines.append("  ratings that count:")
        for c in e.contributions:
            lines.append(
                f"    {_who(c.rater, c.rater_name)}: {c.mean:.2f} from {c.ratings} deal"
                f"{'s' if c.ratings != 1 else ''}, weight {c.weight:.2f}, sets {c.share:.0%}"
            )
    for i in r.imported:
        lines.append("  imported (not in the score): " + format_import(i).split("\n")[0])
    return "\n".join(lines)
