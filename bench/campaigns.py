"""A seeded generator of accounts and their signals: legitimate customers with the sharing that
real ones have, and shell-account campaigns around a few accounts that screening denies.

Written before any weight was tuned, and kept independent of the linking code: it only says who
shows which raw values (e-mail addresses, card fingerprints, device ids, phone numbers, IP
addresses, ASNs, organisations, billing addresses), and who is who.

Legitimate population (natural sharing):
- individuals: a mailbox at a big provider, their own card, phone and device, a home address and
  a home IP from a residential ISP (several households share an ISP's /24: carrier-grade NAT);
- families of 2-4: one billing address and home /24; often one card (a parent pays) and
  sometimes one device (a family tablet);
- colleagues: a company domain, the company's name, the office NAT /24 and address, teams of
  about five sharing a corporate card; company sizes from 3 to a 2,500-person corporation;
- universities: a few hundred students behind a handful of NAT /24s, one .edu domain;
- developers on the restricted clouds (their servers' addresses);
- victims: a few legitimate card holders whose card a campaign uses (stolen cards).

Campaign shapes (each seeded by three accounts that screening denies):
- card_ring: a few hundred accounts cycling through 15 cards, mailbox tricks (dots and
  plus-tags on ten real mailboxes), drop addresses, residential proxies;
- device_farm: over a thousand accounts on 40 emulated devices and 60 SMS numbers, fresh
  virtual cards, exits in a restricted cloud's ranges;
- rotating: thousands of accounts rotating a window over 150 cards and 300 devices (partial
  reuse), a fake organisation name, cloud proxy /24s; 15% fully fresh card and device;
- sleeper: low reuse: fresh card, device and phone per account, 25 drop addresses and 40 proxy
  /24s shared, 30% on residential proxies (only the address is shared).
- dense_farm (added later, after the rules of three rounds; generated after the others, so
  their accounts and values are as before): 1,500 accounts on 4 emulated devices, 5 SMS numbers
  and 2 proxy /24s, fresh virtual cards: every value it shares is carried by more accounts than
  the general degree cut-off.
A fifth of each campaign's accounts sign up after the denial (their signals arrive late).
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

PROVIDERS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "qq.com", "icloud.com")
ALIBABA = ("47.74", "47.88", "47.89", "47.90", "8.209", "8.210")
TENCENT = ("43.128", "43.129", "43.130", "101.32", "150.109", "162.62")
CLOUD_ASN = {"alibaba": 45102, "tencent": 132203}
LABS = ("DeepSeek", "Moonshot AI", "Zhipu AI", "MiniMax")


@dataclass(slots=True)
class Person:
    account_id: str
    group: str  # "legit:<kind>" or "campaign:<shape>"
    seed: bool = False
    late: bool = False
    observations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def legit(self) -> bool:
        return self.group.startswith("legit:")

    @property
    def shape(self) -> str:
        return self.group.split(":", 1)[1]


class World:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.people: list[Person] = []
        self._serial = 0
        # 40 residential ISPs, each with its own /16s; a home /24 is shared by a few households.
        # First octets 81-121 without 100 (100.64.0.0/10 is carriers' shared space, not public).
        self.isps = [
            (3300 + 37 * n, f"{81 + n + (n >= 19)}.{self.rng.randrange(256)}") for n in range(40)
        ]
        self.cities = sorted({self.name().title() for _ in range(300)})
        self.city_weights = [1 / (n + 1) for n in range(len(self.cities))]
        self.countries = ("US", "GB", "DE", "FR", "SG", "JP", "IN", "BR")

    # --- values -----------------------------------------------------------------------------

    def token(self, prefix: str, length: int = 12) -> str:
        return prefix + "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=length))

    def name(self) -> str:
        return "".join(self.rng.choices(string.ascii_lowercase, k=self.rng.randint(5, 9)))

    def mailbox(self, provider: str | None = None) -> str:
        host = provider or self.rng.choices(PROVIDERS, weights=(50, 15, 10, 8, 10, 7))[0]
        return f"{self.name()}.{self.name()}{self.rng.randrange(100)}@{host}"

    def phone(self) -> str:
        # Washington DC numbers: all valid, and plentiful.
        return f"+1202{self.rng.randint(200, 999)}{self.rng.randint(0, 9999):04d}"

    def home_ip(self) -> tuple[str, int]:
        # Residential /24s are small pools: about 8 households per /24 (carrier-grade NAT).
        asn, block = self.rng.choice(self.isps)
        third = self.rng.randrange(40)
        return f"{block}.{third}.{self.rng.randint(1, 254)}", asn

    def city(self) -> tuple[str, str]:
        return self.rng.choices(self.cities, weights=self.city_weights)[0], self.rng.choice(
            self.countries
        )

    def address(self, city: tuple[str, str]) -> str:
        street = f"{self.rng.randint(1, 999)} {self.name().title()} Street"
        return f"{street}, {city[0]} {self.rng.randint(10000, 99999)}, {city[1]}"

    def cloud_ip(self, cloud: str, pool: list[str] | None = None) -> str:
        if pool:
            return f"{self.rng.choice(pool)}.{self.rng.randint(1, 254)}"
        blocks = ALIBABA if cloud == "alibaba" else TENCENT
        return f"{self.rng.choice(blocks)}.{self.rng.randrange(256)}.{self.rng.randint(1, 254)}"

    def person(self, group: str) -> Person:
        self._serial += 1
        found = Person(f"acct-{self._serial:06d}", group)
        self.people.append(found)
        return found

    # --- legitimate customers ---------------------------------------------------------------

    def individual(self, kind: str = "individual") -> Person:
        who = self.person(f"legit:{kind}")
        ip, asn = self.home_ip()
        city = self.city()
        obs = {
            "email": self.mailbox(),
            "payment_fingerprint": self.token("card_"),
            "device_id": self.token("dev_"),
            "phone": self.phone(),
            "ip": ip,
            "asn": asn,
            "billing_address": self.address(city),
        }
        if self.rng.random() < 0.1:
            obs["organisation"] = f"{self.name().title()} Consulting"
        who.observations.append(obs)
        if self.rng.random() < 0.4:  # a second login from another network (mobile, travel)
            other_ip, other_asn = self.home_ip()
            who.observations.append(
                {"ip": other_ip, "asn": other_asn, "device_id": obs["device_id"]}
            )
        return who

    def family(self) -> list[Person]:
        size = self.rng.randint(2, 4)
        ip, asn = self.home_ip()
        city = self.city()
        address = self.address(city)
        card = self.token("card_") if self.rng.random() < 0.5 else None
        tablet = self.token("dev_") if self.rng.random() < 0.3 else None
        members = []
        for _ in range(size):
            who = self.person("legit:family")
            who.observations.append(
                {
                    "email": self.mailbox(),
                    "payment_fingerprint": card or self.token("card_"),
                    "device_id": tablet
                    if tablet and self.rng.random() < 0.6
                    else self.token("dev_"),
                    "phone": self.phone(),
                    "ip": ip,
                    "asn": asn,
                    "billing_address": address,
                }
            )
            members.append(who)
        return members

    def company(self, size: int) -> list[Person]:
        domain = f"{self.name()}{self.rng.randrange(1000)}.com"
        org = f"{self.name().title()} {self.rng.choice(('Ltd', 'Inc.', 'GmbH', 'LLC'))}"
        office_asn = 3300 + 37 * self.rng.randrange(40) + 1  # a business line, not a home ISP
        firsts = [o for o in range(110, 161) if o != 127]  # public unicast, not loopback
        nats = [
            f"{self.rng.choice(firsts)}.{self.rng.randrange(256)}.{self.rng.randrange(256)}"
            for _ in range(max(1, size // 150))
        ]
        city = self.city()
        office = self.address(city)
        members = []
        card = self.token("card_")
        for n in range(size):
            if n % 5 == 0:
                card = self.token("card_")  # a team's corporate card
            who = self.person("legit:colleague")
            who.observations.append(
                {
                    "email": f"{self.name()}.{self.name()}@{domain}",
                    "payment_fingerprint": card if self.rng.random() < 0.7 else self.token("card_"),
                    "device_id": self.token("dev_"),
                    "phone": self.phone(),
                    "ip": f"{self.rng.choice(nats)}.{self.rng.randint(1, 254)}",
                    "asn": office_asn,
                    "organisation": org,
                    "billing_address": office,
                }
            )
            members.append(who)
        return members

    def university(self, students: int) -> list[Person]:
        domain = f"{self.name()}.edu"
        nats = [f"{self.rng.randint(130, 140)}.{self.rng.randrange(256)}.{n}" for n in range(4)]
        city = self.city()
        found = []
        for _ in range(students):
            who = self.person("legit:student")
            who.observations.append(
                {
                    "email": f"{self.name()}{self.rng.randrange(10000)}@{domain}",
                    "payment_fingerprint": self.token("card_"),
                    "device_id": self.token("dev_"),
                    "ip": f"{self.rng.choice(nats)}.{self.rng.randint(1, 254)}",
                    "asn": 1103,
                    "billing_address": self.address(city),
                }
            )
            found.append(who)
        return found

    def cloud_developer(self) -> Person:
        who = self.individual("cloud_developer")
        cloud = self.rng.choice(("alibaba", "tencent"))
        who.observations.append(
            {"ip": self.cloud_ip(cloud), "asn": CLOUD_ASN[cloud],
             "device_id": who.observations[0]["device_id"]}
        )  # fmt: skip
        return who

    def legitimate(self, total: int) -> None:
        start = len(self.people)
        self.university(min(600, total // 20))
        self.company(min(2500, total // 16))  # the big corporation: its domain is too common
        while len(self.people) - start < total:
            roll = self.rng.random()
            if roll < 0.74:
                self.individual()
            elif roll < 0.89:
                self.family()
            elif roll < 0.95:
                self.company(min(int(self.rng.paretovariate(1.2) * 3), 400))
            else:
                self.cloud_developer()

    # --- campaigns --------------------------------------------------------------------------

    def _campaign(self, shape: str, size: int) -> list[Person]:
        found = [self.person(f"campaign:{shape}") for _ in range(size)]
        for who in self.rng.sample(found, 3):
            who.seed = True
        for who in found:
            who.late = not who.seed and self.rng.random() < 0.2
        return found

    def victims(self, count: int) -> list[str]:
        """Cards of legitimate customers that a campaign uses."""
        legit = [p for p in self.people if p.legit and "payment_fingerprint" in p.observations[0]]
        return [self.rng.choice(legit).observations[0]["payment_fingerprint"] for _ in range(count)]

    def card_ring(self, size: int = 400) -> None:
        cards = [self.token("card_") for _ in range(15)] + self.victims(1)
        devices = [self.token("dev_") for _ in range(30)]
        drops = [self.address(self.city()) for _ in range(10)]
        mailboxes = [(self.name() + self.name(), "gmail.com") for _ in range(10)]
        for who in self._campaign("card_ring", size):
            if self.rng.random() < 0.2:
                local, host = self.rng.choice(mailboxes)
                cut = self.rng.randrange(1, len(local))
                email = f"{local[:cut]}.{local[cut:]}+{self.rng.randrange(999)}@{host}"
            else:
                email = self.mailbox("gmail.com")
            ip, asn = self.home_ip()  # a residential proxy: someone's home
            obs = {
                "email": email,
                "payment_fingerprint": self.rng.choice(cards),
                "device_id": self.rng.choice(devices)
                if self.rng.random() < 0.4
                else self.token("dev_"),
                "ip": ip,
                "asn": asn,
                "billing_address": self.rng.choice(drops),
            }
            who.observations.append(obs)
            if self.rng.random() < 0.3:
                who.observations.append({"payment_fingerprint": self.rng.choice(cards)})

    def device_farm(self, size: int = 1500) -> None:
        self._farm("device_farm", size, devices=40, phones=60, prefixes=20)

    def dense_farm(self, size: int = 1500) -> None:
        self._farm("dense_farm", size, devices=4, phones=5, prefixes=2)

    def _farm(self, shape: str, size: int, *, devices: int, phones: int, prefixes: int) -> None:
        """Emulated devices, SMS numbers and proxy /24s in a restricted cloud, shared by the
        whole farm; a fresh virtual card and mailbox per account."""
        emulated = [self.token("emu_") for _ in range(devices)]
        numbers = [self.phone() for _ in range(phones)]
        pool = [f"{self.rng.choice(TENCENT)}.{self.rng.randrange(256)}" for _ in range(prefixes)]
        for who in self._campaign(shape, size):
            obs: dict[str, Any] = {
                "email": self.mailbox(),
                "payment_fingerprint": self.token("vcard_"),
                "device_id": self.rng.choice(emulated),
                "ip": self.cloud_ip("tencent", pool),
                "asn": CLOUD_ASN["tencent"],
            }
            if self.rng.random() < 0.6:
                obs["phone"] = self.rng.choice(numbers)
            who.observations.append(obs)

    def rotating(self, size: int = 3000) -> None:
        cards = [self.token("card_") for _ in range(150)] + self.victims(2)
        devices = [self.token("dev_") for _ in range(300)]
        orgs = [f"{w} AI Research" for w in ("Aurora", "Nimbus", "Vertex", "Helios", "Quanta")]
        pool = [f"{self.rng.choice(ALIBABA)}.{self.rng.randrange(256)}" for _ in range(80)]
        city = self.city()
        members = self._campaign("rotating", size)
        for n, who in enumerate(members):
            # Rotation: each account draws from a window that slides along the pools.
            window = n * len(cards) // size
            obs: dict[str, Any] = {
                "email": self.mailbox(),
                "ip": self.cloud_ip("alibaba", pool),
                "asn": CLOUD_ASN["alibaba"],
                "organisation": self.rng.choice(orgs),
                "billing_address": self.address(city),
            }
            if self.rng.random() < 0.85:
                obs["payment_fingerprint"] = cards[(window + self.rng.randrange(8)) % len(cards)]
                obs["device_id"] = devices[(2 * window + self.rng.randrange(16)) % len(devices)]
            else:  # fresh card and device: only the network and the story are shared
                obs["payment_fingerprint"] = self.token("card_")
                obs["device_id"] = self.token("dev_")
            who.observations.append(obs)

    def sleeper(self, size: int = 500) -> None:
        drops = [self.address(self.city()) for _ in range(25)]
        pool = [f"{self.rng.choice(ALIBABA)}.{self.rng.randrange(256)}" for _ in range(40)]
        for who in self._campaign("sleeper", size):
            residential = self.rng.random() < 0.3
            ip, asn = self.home_ip() if residential else (self.cloud_ip("alibaba", pool), 45102)
            who.observations.append(
                {
                    "email": self.mailbox(),
                    "payment_fingerprint": self.token("card_"),
                    "device_id": self.token("dev_"),
                    "phone": self.phone(),
                    "ip": ip,
                    "asn": asn,
                    "billing_address": self.rng.choice(drops),
                }
            )


SHAPES = ("card_ring", "device_farm", "rotating", "sleeper", "dense_farm")


def generate(seed: int, *, legit: int = 20_000, scale: float = 1.0) -> list[Person]:
    world = World(seed)
    world.legitimate(legit)
    world.card_ring(int(400 * scale))
    world.device_farm(int(1500 * scale))
    world.rotating(int(3000 * scale))
    world.sleeper(int(500 * scale))
    world.rng.shuffle(world.people)
    before = len(world.people)
    world.dense_farm(int(1500 * scale))
    # Shuffled into the rest by a generator of its own, so that the rest keep their order.
    rest, dense = world.people[:before], world.people[before:]
    order = random.Random(seed * 7919 + 1)
    for who in dense:
        rest.insert(order.randrange(len(rest) + 1), who)
    return rest


def lab_of(person: Person) -> str:
    """The restricted organisation a campaign's seeds are denied as."""
    return LABS[SHAPES.index(person.shape) % len(LABS)]


def iter_observations(people: list[Person]) -> Iterator[tuple[Person, dict[str, Any]]]:
    for person in people:
        for obs in person.observations:
            yield person, obs
