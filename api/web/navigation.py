"""The navigation bar's links: all twelve in a row on a laptop; on a phone the four a
person uses most (the last one after their roles: invoices for those who bill, leave for
the others) and « Plus » opening the rest, so the bar never scrolls sideways."""

from __future__ import annotations

from dataclasses import dataclass

from api.web.deps import WebUser
from domain.finance import invoices
from domain.kit.principal import Role

PAGES = (
    ("/", "Discussion"),
    ("/tableau-de-bord", "Tableau de bord"),
    ("/a-valider", "À valider"),
    ("/factures", "Factures"),
    ("/devis", "Devis"),
    ("/clients", "Clients"),
    ("/produits", "Produits"),
    ("/stock", "Stock"),
    ("/achats", "Achats"),
    ("/equipe", "Équipe"),
    ("/conges", "Congés"),
    ("/documents", "Documents"),
)
ALWAYS_AT_HAND = ("/", "/tableau-de-bord", "/a-valider")


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    label: str
    current: bool
    at_hand: bool  # one of the phone bar's four


@dataclass(frozen=True, slots=True)
class Navigation:
    links: list[Link]

    @property
    def more(self) -> list[Link]:
        return [link for link in self.links if not link.at_hand]

    @property
    def more_current(self) -> bool:
        return any(link.current for link in self.more)


def _is_current(href: str, path: str) -> bool:
    return path == href or (href != "/" and path.startswith(href + "/"))


def navigation(user: WebUser, path: str) -> Navigation:
    bills = user.may(*invoices.READERS)
    fourth = "/factures" if bills else ("/equipe" if user.may(Role.HR) else "/conges")
    at_hand = {*ALWAYS_AT_HAND, fourth}
    return Navigation(
        [Link(href, label, _is_current(href, path), href in at_hand) for href, label in PAGES]
    )
