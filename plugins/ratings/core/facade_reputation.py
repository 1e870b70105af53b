"""The reading half of the Ratings facade: reputation from my seat, imported platform ratings
(shown beside it, never merged) and portable credentials. :class:`~.facade.Ratings` is the
class to use; this one only keeps the facade's files small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from smd_desktop.core.errors import NotFound, UserError
from smd_desktop.core.ids import IdentityKey, RecordId, did_key
from smd_desktop.core.profile import Profile

from .credentials import (
    CredentialInputError,
    read_credential,
    verify_credential,
    write_credentials,
)
from .explain import Explanation
from .imports import (
    Assurance,
    FiguresSeen,
    WitnessFacts,
    assurance_of,
    import_content,
    link_token,
    normalize_profile_url,
    parse_import,
    read_import_file,
    witness_content,
)
from .inputs import ReputationInputError, check_context
from .params import GENERAL, PRIOR_MEAN, PRIOR_WEIGHT
from .queries import ImportRow, import_row, imports, ratings
from .records import IMPORT, WITNESS
from .reveal import credential_of, facts_of
from .score import Reputation
from .service import service_for
from .views import (
    ContributionView,
    CountedRating,
    ExplanationView,
    ImportView,
    PathView,
    ReputationView,
)


class ReputationFacade:
    """Reputation, imports and credentials of one profile (see :class:`~.facade.Ratings`)."""

    def __init__(self, profile: Profile, clock: Callable[[], int]) -> None:
        self._profile = profile
        self._clock = clock

    @property
    def identity(self) -> IdentityKey:
        """Whose seat the reputation is computed from; whose deals are "mine"."""
        return self._profile.identity

    # -- reputation -------------------------------------------------------------------------

    def reputation(self, target: IdentityKey, context: str = GENERAL) -> ReputationView:
        """``target``'s reputation from my seat in ``context``, imported figures beside.

        Raises:
            UserError: a malformed context.
        """
        ctx = _context(context)
        result = service_for(self._profile).engine().reputation(self.identity, target, ctx)
        return self._reputation_view(result)

    def explain(
        self, target: IdentityKey, context: str = GENERAL, paths: int = 5
    ) -> ExplanationView:
        """Why I see ``target`` as I do: the heaviest trust paths and every rater's part.

        Raises:
            UserError: a malformed context, or ``paths`` below 1.
        """
        if paths < 1:
            raise UserError("ask for at least one path")
        ctx = _context(context)
        found: Explanation = (
            service_for(self._profile).engine().explain(self.identity, target, ctx, paths=paths)
        )
        rep = self._reputation_view(found.reputation)
        names = self._names(
            [p for path in found.paths for p in path.people]
            + [c.rater for c in found.reputation.contributions]
        )
        return ExplanationView(
            reputation=rep,
            target_mass=found.target_mass,
            paths=tuple(
                PathView(tuple((IdentityKey(p), names.get(p)) for p in path.people), path.mass)
                for path in found.paths
            ),
            contributions=tuple(
                ContributionView(
                    IdentityKey(c.rater),
                    names.get(c.rater),
                    c.ratings,
                    c.mean,
                    c.mass,
                    c.weight,
                    c.share,
                )
                for c in found.reputation.contributions
            ),
            complete=found.complete,
        )

    def trusted(self, identity: bytes) -> bool:
        """Whether ``identity`` has weight > 0 from my seat (me included)."""
        if identity == self.identity:
            return True
        walk = service_for(self._profile).engine().walk(self.identity)
        return walk.mass_of(identity) > 0

    def _reputation_view(self, rep: Reputation) -> ReputationView:
        names = self._names([rep.target, *(c.rater for c in rep.contributions)])
        with self._profile.store.reading() as conn:
            (sealed,) = conn.execute(
                "SELECT count(*) FROM ratings_ratings WHERE ratee = ? AND reveal_id IS NULL",
                (rep.target,),
            ).fetchone()
        return ReputationView(
            target=IdentityKey(rep.target),
            target_name=names.get(rep.target),
            context=rep.context,
            score=rep.score,
            votes=rep.votes,
            prior=PRIOR_MEAN,
            prior_weight=PRIOR_WEIGHT,
            in_network=rep.in_network,
            outside=rep.outside,
            positive_share=rep.positive_share,
            positive_lower_bound=rep.positive_lower_bound,
            counted=tuple(
                CountedRating(IdentityKey(c.rater), names.get(c.rater), c.weight, c.mean)
                for c in rep.contributions
            ),
            sealed=int(sealed),
            imported=tuple(self.imports_of(IdentityKey(rep.target))),
        )

    # -- imports and witnesses --------------------------------------------------------------

    def import_file(
        self,
        path: Path,
        platform: str,
        profile_url: str,
        *,
        link: bool,
        platform_name: str | None = None,
    ) -> ImportView:
        """Summarize a platform's rating file whole and publish it (``ratings/import/1``).
        With ``link`` it carries my link token, to place on that platform profile.

        Raises:
            UserError: the file, platform, URL or a row is refused (one sentence).
        """
        data = read_import_file(Path(path))
        summary = parse_import(platform, data, profile_url, platform_name=platform_name)
        content = import_content(summary, self.identity, link=link)
        record = self._profile.publish(IMPORT, content)
        return self.import_view(record.id)

    def import_view(self, import_id: RecordId) -> ImportView:
        """One indexed import.

        Raises:
            NotFound: we hold no such import.
        """
        with self._profile.store.reading() as conn:
            row = import_row(conn, import_id)
        if row is None:
            raise NotFound(f"no import {import_id.hex()}")
        return self._import_views([row])[0]

    def imports_of(self, identity: IdentityKey) -> list[ImportView]:
        """``identity``'s imports with their assurance from my seat, newest first."""
        with self._profile.store.reading() as conn:
            rows = imports(conn, identity)
        return self._import_views(rows)

    def link_token(self, platform: str, profile_url: str) -> str:
        """My token for a platform profile (place it there so others can witness the link).

        Raises:
            UserError: the profile URL is not one.
        """
        return link_token(self.identity, platform, normalize_profile_url(profile_url))

    def witness(
        self,
        import_id: RecordId,
        *,
        token_seen: bool,
        figures_seen: Mapping[str, int] | None = None,
        note: str | None = None,
    ) -> RecordId:
        """Publish what I saw on someone's platform profile now (``ratings/witness/1``).

        Raises:
            NotFound: no such import. UserError: my own import, or a bad value.
        """
        with self._profile.store.reading() as conn:
            row = import_row(conn, import_id)
        if row is None:
            raise NotFound(f"no import {import_id.hex()}")
        if row.subject == self.identity:
            raise UserError("you cannot witness your own import")
        figures = None
        if figures_seen is not None:
            try:
                figures = FiguresSeen(**dict(figures_seen))
            except TypeError as exc:
                raise UserError("figures seen are count, positive_bp and average_x100") from exc
        content = witness_content(
            import_id,
            row.subject,
            row.content["profile_url"],
            token_seen,
            self._clock(),
            figures,
            note,
        )
        return self._profile.publish(WITNESS, content).id

    def _import_views(self, rows: list[ImportRow]) -> list[ImportView]:
        names = self._names(r.subject for r in rows)
        now = self._clock()
        views = []
        for row in rows:
            facts = [WitnessFacts.from_content(a, c) for a, c in row.witnesses]
            level = assurance_of(row.content, facts, self.trusted, now)
            vouching = sum(
                1
                for author in dict.fromkeys(f.witness for f in facts)
                if assurance_of(
                    row.content,
                    [f for f in facts if f.witness == author],
                    self.trusted,
                    now,
                )
                is Assurance.WITNESSED
            )
            c = row.content
            views.append(
                ImportView(
                    id=row.record_id,
                    subject=row.subject,
                    subject_name=names.get(row.subject),
                    platform=c["platform"],
                    platform_name=c.get("platform_name"),
                    profile_url=c["profile_url"],
                    count=c["count"],
                    positive_bp=c.get("positive_bp"),
                    average_x100=c.get("average_x100"),
                    period=(c["period"]["from"], c["period"]["until"]),
                    categories=tuple(c.get("categories", ())),
                    link_token=c.get("link_token"),
                    assurance=level.label,  # type: ignore[arg-type]
                    witnesses=vouching,
                    imported_at=row.ts,
                )
            )
        return views

    # -- credentials ------------------------------------------------------------------------

    def credentials(self) -> list[dict[str, Any]]:
        """The VC 2.0 credentials of the revealed ratings I received (those whose rater's
        proof holds), newest first."""
        with self._profile.store.reading() as conn:
            rows = ratings(
                conn,
                "r.ratee = ? AND r.reveal_id IS NOT NULL AND r.vc IS NOT NULL",
                (self.identity,),
            )
        docs = []
        for row in rows:
            assert row.rating is not None and row.vc is not None
            try:
                facts = facts_of(
                    rater=row.rater,
                    ratee=row.ratee,
                    deal_id=row.deal_id,
                    body=row.rating,
                    context=row.context,
                    what=row.what,
                    sealed_id=row.sealed_id,
                    created=row.vc["created"],
                )
            except CredentialInputError:  # a created time past year 9999: the rater's doing
                continue
            doc = credential_of(facts, row.vc["created"], row.vc["proof"])
            if doc is not None:
                docs.append(doc)
        return docs

    def export_credentials(self, directory: Path) -> list[Path]:
        """Write the credentials of the ratings I received to ``directory`` (one JSON file
        each, ``rating-<id>.json``); returns the paths.

        Raises:
            UserError: the directory or a file cannot be written.
        """
        return write_credentials(directory, self.credentials())

    def verify_credential_file(self, path: Path) -> str:
        """Check a credential file offline; a one-line summary when it is valid.

        Raises:
            CredentialError: it is not valid (the message says why).
            UserError: the file cannot be read.
        """
        return verify_credential_summary(path, self._names)

    # -- helpers ----------------------------------------------------------------------------

    def _names(self, identities: Iterable[bytes]) -> dict[bytes, str]:
        wanted = [IdentityKey(i) for i in dict.fromkeys(identities)]
        if not wanted:
            return {}
        return {bytes(k): v for k, v in self._profile.store.profile_names(wanted).items()}


def verify_credential_summary(
    path: Path, names: Callable[[Iterable[bytes]], Mapping[bytes, str]] | None = None
) -> str:
    """Read and verify a credential file: ``valid: 4/5 by <rater> about <ratee> ...``.

    Raises:
        CredentialError: it is not valid (the message says why).
        UserError: the file cannot be read.
    """
    verified = verify_credential(read_credential(path))
    facts = verified.facts
    known = names([facts.rater, facts.ratee]) if names is not None else {}

    def who(identity: bytes) -> str:
        text = did_key(IdentityKey(identity))
        return f"{known[identity]} ({text})" if identity in known else text

    return (
        f"valid: {facts.overall}/5 by {who(facts.rater)} about {who(facts.ratee)} "
        f"for {facts.what!r} ({facts.context}), deal {facts.deal_id.hex()}"
    )


def _context(context: str | None) -> str:
    ctx = GENERAL if context is None or not context.strip() else context.strip()
    try:
        check_context(ctx)
    except ReputationInputError as exc:
        raise UserError(str(exc)) from exc
    return ctx
