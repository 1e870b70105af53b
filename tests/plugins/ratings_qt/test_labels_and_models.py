"""The words shown for the core's codes cover every code the core has, and every list model
passes Qt's model tester with rows in it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from plugins.ratings.core.deals import DealTerms
from plugins.ratings.core.imports import Assurance, Platform
from plugins.ratings.core.params import TRUST_WEIGHTS
from plugins.ratings.core.records import ASPECTS
from plugins.ratings.core.views import (
    DEAL_STATUSES,
    NO_RATING,
    ContributionView,
    CountedRating,
    DealView,
    ExplanationView,
    ImportView,
    PathView,
    RatingState,
    RatingView,
    ReputationView,
    TrustView,
)
from plugins.ratings.qt import _labels as labels
from plugins.ratings.qt._calls import short_id
from plugins.ratings.qt._deals_model import DealsModel
from plugins.ratings.qt._reputation_models import (
    ImportsModel,
    PathsModel,
    RatingsModel,
    counted_rows,
    path_rows,
)
from plugins.ratings.qt._table_model import ROW_ROLE
from plugins.ratings.qt._trust_model import TrustModel
from smd_desktop.core.ids import IdentityKey, RecordId

ME, BOB, CAROL = (IdentityKey(bytes([n]) * 32) for n in (1, 2, 3))
DAY = 24 * 3600 * 1000
T0 = 1_700_000_000_000


def check_model(tester: ModelTester, model: QAbstractItemModel) -> None:
    """Qt's model tester over ``model`` (pytest-qt's ``check`` is untyped)."""
    tester.check(model, force_py=True)  # type: ignore[no-untyped-call]


def test_every_core_code_has_a_label() -> None:
    assert set(labels.DEAL_STATUS_MARKS) == set(DEAL_STATUSES) == set(labels.DEAL_STATUS_HINTS)
    assert set(labels.ASSURANCE_MARKS) == {a.label for a in Assurance}
    assert set(labels.ASSURANCE_HINTS) == set(labels.ASSURANCE_MARKS)
    assert list(labels.PLATFORM_MARKS) == [p.value for p in Platform]
    assert set(labels.TRUST_WEIGHT_MARKS) == set(TRUST_WEIGHTS)
    assert set(labels.ASPECT_MARKS) == set(ASPECTS)
    assert set(labels.RATING_STATE_MARKS) == {"none", "sealed", "revealed"}


def test_labels_read_as_plain_english() -> None:
    assert labels.network_line(1, 0) == "1 rating from your network, 0 from outside"
    assert labels.network_line(3, 2) == "3 ratings from your network, 2 from outside"
    assert labels.votes(1.0) == "1.00 vote" and labels.votes(0.5) == "0.50 votes"
    assert labels.figures(1, None, 480) == "1 rating, average 4.80"
    assert labels.figures(14, 9230, None) == "14 ratings, 92 % positive"
    assert labels.rating_state("revealed", 4) == "Revealed: 4/5"
    assert labels.rating_state("sealed") == "Sealed"
    assert labels.context_label("general") == "general (everything)"
    assert labels.context_label("rental") == "rental"
    assert labels.platform("csv", "Vinted") == "Vinted" and labels.platform("ebay") == "eBay"
    assert labels.amount("12.50", "EUR") == "12.50 EUR" and labels.amount(None, None) == ""
    assert labels.deal_status("unknown-code") == "unknown-code"


def terms(what: str, **more: Any) -> DealTerms:
    return DealTerms(ME, BOB, what, "p2p-sale", T0, T0 + 7 * DAY, b"\0" * 16, **more)


def rating(rater: IdentityKey, overall: int, **more: Any) -> RatingView:
    fields: dict[str, Any] = {
        "id": RecordId(bytes([overall]) * 32),
        "sealed_id": RecordId(bytes([overall + 10]) * 32),
        "rater": rater,
        "rater_name": {BOB: "Bob", CAROL: None}.get(rater),
        "ratee": ME,
        "ratee_name": "Ada",
        "deal_id": b"\7" * 32,
        "context": "p2p-sale",
        "what": "Bicycle",
        "overall": overall,
        "aspects": {},
        "text": "",
        "sealed_at": T0,
        "revealed_at": T0 + DAY,
        "response": None,
        "response_at": None,
        "written_after_seeing": False,
        "has_credential": True,
    }
    fields.update(more)
    return RatingView(**fields)


def deal(what: str, status: Any, mine: RatingState = NO_RATING, **more: Any) -> DealView:
    return DealView(
        deal_id=what.encode().ljust(32, b"\0"),
        terms=terms(what, **more),
        other=BOB,
        other_name="Bob",
        role="offerer",
        status=status,
        my_rating=mine,
        their_rating=NO_RATING,
        created=T0,
    )


def test_the_deals_model(qtmodeltester: ModelTester) -> None:
    model = DealsModel()
    check_model(qtmodeltester, model)
    model.set_rows(
        [
            deal("Sofa", "received", amount="80", currency="EUR"),
            deal("Camera", "active", RatingState("revealed", rating(ME, 4), T0)),
            deal("Lamp", "expired"),
        ]
    )
    check_model(qtmodeltester, model)
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Status"
    assert [r[3:7] for r in model.texts()] == [
        ["80 EUR", "Received", "", ""],
        ["", "Active", "Revealed: 4/5", "Not rated"],
        ["", "Expired", "", ""],
    ]
    assert model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == (
        "offered to you; accept or decline it"
    )
    assert model.index(1, 0).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Camera with Bob: Active (signed by both of you; it can be rated); "
        "my rating: Revealed: 4/5; their rating: Not rated"
    )
    assert model.index(2, 0).data(ROW_ROLE).terms.what == "Lamp"
    assert model.row_of(b"Lamp".ljust(32, b"\0")) == 2
    assert model.rowCount(model.index(0, 0)) == 0


def explanation(contributions: tuple[ContributionView, ...]) -> ExplanationView:
    rep = ReputationView(
        target=ME,
        target_name="Ada",
        context="general",
        score=3.5,
        votes=1.0,
        prior=3.0,
        prior_weight=2.0,
        in_network=1,
        outside=1,
        positive_share=1.0,
        positive_lower_bound=0.2,
        counted=tuple(
            CountedRating(c.rater, c.rater_name, c.weight, c.mean) for c in contributions
        ),
        sealed=0,
        imported=(),
    )
    paths = (
        PathView(((ME, "Ada"), (BOB, "Bob"), (CAROL, None), (ME, "Ada")), 0.03),
        PathView(((ME, "Ada"), (ME, "Ada")), 0.01),
    )
    return ExplanationView(rep, 0.08, paths, contributions, True)


def test_the_reputation_models(qtmodeltester: ModelTester) -> None:
    found = explanation(
        (
            ContributionView(BOB, "Bob", 1, 5.0, 0.2, 1.0, 1 / 3),
            ContributionView(CAROL, None, 1, 1.0, 0.0, 0.0, 0.0),
        )
    )
    ratings = RatingsModel()
    check_model(qtmodeltester, ratings)
    ratings.set_rows(
        counted_rows(
            found,
            (
                rating(BOB, 5, text="Great", aspects={"timeliness": 4}, response="Thanks"),
                rating(CAROL, 1, written_after_seeing=True),
            ),
        )
    )
    check_model(qtmodeltester, ratings)
    carol = short_id(CAROL)  # no profile name: the shortened id
    assert carol.startswith("z6Mk") and carol.endswith("…")
    assert ratings.texts() == [
        [
            "Bob",
            "5/5",
            "1.00 vote (33 % of the score)",
            "Bicycle (p2p-sale)",
            "Great · Timeliness 4/5",
            "Thanks",
        ],
        [
            carol,
            "1/5",
            "outside your network",
            "Bicycle (p2p-sale)",
            "written after seeing the other side's rating",
            "",
        ],
    ]
    assert ratings.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Bob rated 5/5 for Bicycle, counts for 1.00 vote (33 % of the score): "
        "Great · Timeliness 4/5. Response: Thanks"
    )

    paths = PathsModel()
    paths.set_rows(path_rows(found))
    check_model(qtmodeltester, paths)
    assert paths.texts() == [
        [f"via Bob → {carol}", "38 %"],
        ["directly (you trust them)", "12 %"],
    ]

    imports = ImportsModel()
    imports.set_rows(
        [
            ImportView(
                id=RecordId(b"\x09" * 32),
                subject=ME,
                subject_name="Ada",
                platform="airbnb",
                platform_name=None,
                profile_url="https://www.airbnb.com/users/show/1",
                count=7,
                positive_bp=10000,
                average_x100=471,
                period=(T0, T0 + DAY),
                categories=("as host",),
                link_token="smd-x",
                assurance="witnessed",
                witnesses=2,
                imported_at=T0,
            )
        ]
    )
    check_model(qtmodeltester, imports)
    (row,) = imports.texts()
    assert row[1] == "7 ratings, 100 % positive, average 4.71"
    assert row[3] == "Witnessed (2 witness reports)"


def test_the_trust_model(qtmodeltester: ModelTester) -> None:
    model = TrustModel()
    check_model(qtmodeltester, model)
    model.set_rows(
        [
            TrustView(RecordId(b"\1" * 32), ME, "Ada", BOB, "Bob", 3, "general", "", T0),
            TrustView(RecordId(b"\2" * 32), ME, "Ada", BOB, "Bob", -1, "rental", "late", T0),
        ]
    )
    check_model(qtmodeltester, model)
    assert [r[:4] for r in model.texts()] == [
        ["Bob", "general (everything)", "Trust fully", ""],
        ["Bob", "rental", "Be careful (distrust)", "late"],
    ]
    assert model.index(1, 2).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "Bob, in rental: Be careful (distrust) (late)"
    )
    assert model.row_of(BOB, "rental") == 1 and model.row_of(BOB, "p2p-sale") is None
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_rows(model.rows)  # unchanged: no reset, the selection stays
    assert resets == []
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags
