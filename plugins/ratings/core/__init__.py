"""The headless Ratings plugin: record rules, index, the reputation engine and the facade.

Imports only the SMD core (never Qt, the UI, the CLI or p2p), so ``smd`` and the node load it.
The public surface is :class:`Ratings` (what the CLI and the UI call, on one open profile) with
its views, and the pure engine: the index turns records into :mod:`.inputs` values, the
reputation service feeds a :class:`ReputationEngine`, and a worker thread asks it for
:class:`Reputation` and :class:`Explanation` values. The algorithm, its constants, the score
formula, the sybil bound, the record formats and the facade are in docs/RATINGS.md.
"""

from .engine import CacheStats, ReputationEngine
from .explain import Explanation, TrustPath
from .facade import Ratings
from .inputs import (
    DealEdge,
    FollowEdge,
    GraphInput,
    Identity,
    Rating,
    ReputationInputError,
    TrustEdge,
)
from .params import (
    BRIDGE_DISCOUNT,
    DEAL_EDGE_CAP,
    DEAL_EDGE_WEIGHT,
    DEFAULT_PARAMS,
    DISTRUST_STRENGTH,
    FOLLOW_WEIGHT,
    FULL_VOTE_MASS,
    GENERAL,
    MAX_HOPS,
    POSITIVE_RATING,
    PRIOR_MEAN,
    PRIOR_WEIGHT,
    RATER_WEIGHT_CAP,
    RATING_MAX,
    RATING_MIN,
    STOP_PROBABILITY,
    TRUST_WEIGHTS,
    WILSON_Z,
    ReputationParams,
)
from .score import RatingContribution, Reputation, bayesian_average, wilson_lower_bound
from .views import (
    DEAL_STATUSES,
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
from .walk import Walk

__all__ = [
    "BRIDGE_DISCOUNT",
    "DEAL_EDGE_CAP",
    "DEAL_EDGE_WEIGHT",
    "DEAL_STATUSES",
    "DEFAULT_PARAMS",
    "DISTRUST_STRENGTH",
    "FOLLOW_WEIGHT",
    "FULL_VOTE_MASS",
    "GENERAL",
    "MAX_HOPS",
    "POSITIVE_RATING",
    "PRIOR_MEAN",
    "PRIOR_WEIGHT",
    "RATER_WEIGHT_CAP",
    "RATING_MAX",
    "RATING_MIN",
    "STOP_PROBABILITY",
    "TRUST_WEIGHTS",
    "WILSON_Z",
    "CacheStats",
    "ContributionView",
    "CountedRating",
    "DealEdge",
    "DealView",
    "Explanation",
    "ExplanationView",
    "FollowEdge",
    "GraphInput",
    "Identity",
    "ImportView",
    "PathView",
    "Rating",
    "RatingContribution",
    "RatingState",
    "RatingView",
    "Ratings",
    "Reputation",
    "ReputationEngine",
    "ReputationInputError",
    "ReputationParams",
    "ReputationView",
    "TrustEdge",
    "TrustPath",
    "TrustView",
    "Walk",
    "bayesian_average",
    "wilson_lower_bound",
]
