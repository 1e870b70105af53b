"""The headless heart of the Ratings plugin: the local web-of-trust reputation engine.

Pure Python: no database, no Qt, no store access. The indexing code (a later session) turns
records into :mod:`.inputs` values and feeds a :class:`ReputationEngine`; a worker thread asks
it for :class:`Reputation` and :class:`Explanation` values. The algorithm, its constants, the
score formula and the sybil bound are in docs/RATINGS.md.
"""

from .engine import CacheStats, ReputationEngine
from .explain import Explanation, TrustPath
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
from .walk import Walk

__all__ = [
    "BRIDGE_DISCOUNT",
    "DEAL_EDGE_CAP",
    "DEAL_EDGE_WEIGHT",
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
    "DealEdge",
    "Explanation",
    "FollowEdge",
    "GraphInput",
    "Identity",
    "Rating",
    "RatingContribution",
    "Reputation",
    "ReputationEngine",
    "ReputationInputError",
    "ReputationParams",
    "TrustEdge",
    "TrustPath",
    "Walk",
    "bayesian_average",
    "wilson_lower_bound",
]
