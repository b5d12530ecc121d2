"""How much each shared signal says, and the bounds of a walk.

Strong signals (weight at or above the threshold) link two accounts alone: one payment card, one
device, one phone, one mailbox, one corporate e-mail domain, one billing address. Weak ones stay
below it and only add up: an IP prefix with a declared organisation and a billing city links, an
ASN with a billing city does not. A billing address is a street address: it names its city, and
what it says depends on its own degree, not its city's (a drop address in a city of a million
people is as precise as one in a village), so it links alone and its city does not count again
beside it. Weights were tuned on seed 1 of `bench/campaigns.py`, the walk's rules on seeds 1, 4
and 7 (see docs/linking.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from screening.linking import kinds as k

THRESHOLD = 1.0

WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        k.PAYMENT: 1.0,
        k.DEVICE: 1.0,
        k.PHONE: 1.0,
        k.EMAIL: 1.0,
        k.EMAIL_DOMAIN: 1.0,
        k.BILLING_ADDRESS: 1.0,
        k.IP_PREFIX: 0.4,
        k.ORGANISATION: 0.4,
        k.BILLING_CITY: 0.2,
        k.ASN: 0.1,
        k.CLOUD: 0.1,
    }
)


# One person's (a family's, a team's at most): shared by hundreds of accounts, such a value is a
# farm, not a crowd, and the general cut-off would hide the most blatant campaigns (a thousand
# accounts on four emulated devices and five SMS numbers). Their own, higher cut-off still stops
# a placeholder id an SDK gives every device, or a test card, from linking a whole population.
PERSONAL: frozenset[str] = frozenset({k.PAYMENT, k.DEVICE, k.PHONE, k.EMAIL, k.EMAIL_NORMALISED})


@dataclass(frozen=True, slots=True)
class Degrees:
    """The most accounts one value may be shared by and still link: `personal_max_degree` for
    PERSONAL kinds, `max_degree` for the others (an e-mail domain, an IP prefix, an address)."""

    max_degree: int = 200
    personal_max_degree: int = 2_000

    def of(self, kind: str) -> int:
        return self.personal_max_degree if kind in PERSONAL else self.max_degree

    def params(self) -> dict[str, int]:
        """The statements' parameters (`store.DEGREE_LIMIT` and `pgstore._LIMIT` read them)."""
        return {"max_degree": self.max_degree, "personal_max_degree": self.personal_max_degree}


@dataclass(frozen=True, slots=True)
class LinkRules:
    max_degree: int = 200
    personal_max_degree: int = 2_000
    max_hops: int = 8
    max_cluster: int = 50_000
    threshold: float = THRESHOLD
    # Weak links (each at least crowd_score) to this many accounts of one cluster link too;
    # 0 switches crowd links off.
    crowd_min: int = 5
    crowd_score: float = 0.4
    # The walk goes on through an account only if the cluster reaches it by this many distinct
    # values (of weight through_score or more; see `graph.walk`), or by a crowd link; 1 follows
    # every link. 2 keeps a stolen card's owner from pulling in their family and colleagues.
    # through_score at least the crowd's share keeps every value that vouches in the rows the
    # walk reads anyway (lighter ones need a second read of the accounts in doubt).
    through_values: int = 2
    through_score: float = 0.4
    # When a walk stalls, outside accounts with weak links from at least group_support accounts
    # of the cluster (most first, at most group_reads of them a walk; 0 switches it off) have
    # their strong links read: one that, with the accounts a strong value ties it to, has weak
    # links into the cluster through crowd_min distinct values links (`graph.group_crowd`).
    group_support: int = 2
    group_reads: int = 500
    weights: Mapping[str, float] = field(default_factory=lambda: WEIGHTS)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - {k.group_of(kind) for kind in k.ALL}
        if unknown:
            raise ValueError(f"weights for unknown signal kinds: {sorted(unknown)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("a signal weight cannot be negative")
        if self.personal_max_degree < self.max_degree:
            raise ValueError("the personal degree cut-off cannot be under the general one")

    @property
    def degrees(self) -> Degrees:
        return Degrees(self.max_degree, self.personal_max_degree)

    def weight(self, kind: str) -> float:
        return self.weights.get(k.group_of(kind), 0.0)

    def strong(self, kind: str) -> bool:
        return self.weight(kind) >= self.threshold

    def score(self, kinds: set[str]) -> float:
        """Each kind counts once (an address and its normalised form are one mailbox; a billing
        address and its city are one place)."""
        groups = {k.group_of(kind) for kind in kinds}
        if k.BILLING_ADDRESS in groups:
            groups.discard(k.BILLING_CITY)
        return round(sum(self.weight(g) for g in groups), 6)
