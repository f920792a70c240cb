"""Partner sign-in: who may see the partner page. Plain functions, no Streamlit.

Partners sign in with Streamlit's OpenID Connect (`st.login`), configured in the `[auth]` section of
`.streamlit/secrets.toml`. Without that section sign-in is not configured: the dashboard is the public
one and says nothing of partners. The accounts allowed are listed in the same file:

    [partners]
    emails = ["analys@example.org"]                          # single accounts
    domains = ["polisen.se", "malmo.se", "kriminalvarden.se"]  # every account of these domains
    # Providers that never send email_verified (Microsoft Entra ID): their e-mail claim is trusted without it.
    # By Streamlit's provider name ([auth.microsoft] is "microsoft", plain [auth] is "default"), or by issuer.
    email_trusted_providers = []
    email_trusted_issuers = []

An account is a partner when it is signed in (`is_logged_in` is true in `st.user`, which Streamlit
reads from its signed cookie), its e-mail claim is an address, the address is verified, and the
address is listed or its domain is, exactly: `malmo.se` allows `a@malmo.se`, not `a@skola.malmo.se`.
Anything else is refused: an empty allow-list refuses every account.

- Verified: the provider's `email_verified` claim is the boolean true. The text "false", "no" or even
  "true" is not a boolean and does not count. A missing claim counts only for the providers or issuers
  the configuration names; for any other it refuses, since a provider that does not verify addresses
  may let a user write any address into the claim.
- The same address: addresses are compared in one canonical form, Unicode-normalised (NFKC) and
  case-folded, with the domain in IDNA's ASCII form; the part before @ must be ASCII. An address is
  refused when normalising changes a character (the Kelvin sign in "x@Kriminalvarden.se" would become
  "K", a full-width letter a plain one) or folding does more than lower the case ("ß" would become "ss"):
  such an address is not the one it looks like, and `.lower()` alone would let it match.
"""

from __future__ import annotations

import enum
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass


class Access(enum.Enum):
    """What a visitor may see, from the configuration and the signed-in account."""

    NO_SIGN_IN = "no_sign_in"  # no [auth] in secrets.toml: the public dashboard only
    SIGNED_OUT = "signed_out"  # sign-in configured, nobody signed in
    REFUSED = "refused"  # signed in with an account that is not allowed
    PARTNER = "partner"  # signed in with an allowed account


class ConfigError(ValueError):
    """The [partners] section cannot be read: every account is refused until it is fixed."""


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_DOMAIN_CHARACTERS = set(string.ascii_lowercase + string.digits + "-")


def canonical_domain(domain: str) -> str | None:
    """A domain as compared: NFKC, case-folded, in IDNA's ASCII form; None when it is not a plain domain."""
    if unicodedata.normalize("NFKC", domain) != domain:  # a character that only looks like another (K, ｘ)
        return None
    folded = domain.casefold()
    if folded != domain.lower():  # folding that is more than lower case (ß is ss): another domain in IDNA 2008
        return None
    labels = []
    for label in folded.split("."):
        try:
            encoded = label.encode("idna").decode("ascii")
            if not label.isascii() and encoded.encode("ascii").decode("idna") != label:
                return None  # IDNA 2003 dropped or mapped a character (a zero-width space, say)
        except UnicodeError:
            return None
        labels.append(encoded)
    if len(labels) < 2 or not all(label and set(label) <= _DOMAIN_CHARACTERS for label in labels):
        return None
    return ".".join(labels)


def canonical_address(address: str) -> str | None:
    """An e-mail address as compared (see the module), or None when it is not one that may be compared."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or "@" in local or not local.isascii() or not local.isprintable() or " " in local:
        return None
    domain = canonical_domain(domain)
    return None if domain is None else f"{local.translate(_ASCII_LOWER)}@{domain}"


@dataclass(frozen=True)
class AllowList:
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    email_trusted_providers: frozenset[str] = frozenset()
    email_trusted_issuers: frozenset[str] = frozenset()

    @classmethod
    def from_secrets(cls, secrets: Mapping) -> AllowList:
        """The allow-list in the [partners] section of the secrets (empty without one).

        Raises ConfigError for a value that is not a list of e-mail addresses, domains or names.
        """
        section = secrets.get("partners") or {}
        if not isinstance(section, Mapping):
            raise ConfigError("[partners] must be a table with the lists emails and domains")
        emails = {entry: canonical_address(entry) for entry in _entries(section, "emails")}
        domains = {entry: canonical_domain(entry.removeprefix("@")) for entry in _entries(section, "domains")}
        bad_emails = [entry for entry, canonical in emails.items() if canonical is None]
        if bad_emails:
            raise ConfigError(f"partners.emails: not an e-mail address: {', '.join(bad_emails)}")
        bad_domains = [entry for entry, canonical in domains.items() if canonical is None]
        if bad_domains:
            raise ConfigError(f"partners.domains: not a domain: {', '.join(bad_domains)}")
        return cls(
            frozenset(emails.values()),
            frozenset(domains.values()),
            frozenset(_entries(section, "email_trusted_providers")),
            frozenset(_entries(section, "email_trusted_issuers", lower=False)),
        )

    def allows(self, address: str) -> bool:
        """True when the canonical `address` is listed, or its domain is."""
        return address in self.emails or address.rpartition("@")[2] in self.domains

    def trusts_email_of(self, user: Mapping) -> bool:
        """True when the account's provider or issuer is named as one whose e-mail claim needs no email_verified."""
        return user.get("provider") in self.email_trusted_providers or user.get("iss") in self.email_trusted_issuers


def _entries(section: Mapping, key: str, lower: bool = True) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):  # emails = "a@b.se": one entry, never its letters
        value = [value]
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise ConfigError(f"partners.{key} must be a list of texts")
    return [entry.strip().lower() if lower else entry.strip() for entry in value if entry.strip()]


def sign_in_configured(secrets: Mapping) -> bool:
    """True when secrets.toml has an [auth] section, so st.login can be offered."""
    return isinstance(secrets.get("auth"), Mapping)


def verified_address(user: Mapping, allow_list: AllowList) -> str | None:
    """The signed-in account's address in canonical form, or None when it has none that counts.

    It counts when `email_verified` is the boolean true, or is missing and the allow-list trusts the
    account's provider or issuer (see the module).
    """
    email = user.get("email")
    if not isinstance(email, str):
        return None
    trusted = "email_verified" not in user and allow_list.trusts_email_of(user)
    if user.get("email_verified") is not True and not trusted:
        return None
    return canonical_address(email)


def access(user: Mapping, secrets: Mapping) -> Access:
    """What the visitor `user` (st.user as a dict) may see under the configuration `secrets`.

    A ConfigError in [partners] refuses every signed-in account (frame.py says why).
    """
    if not sign_in_configured(secrets):
        return Access.NO_SIGN_IN
    if user.get("is_logged_in") is not True:
        return Access.SIGNED_OUT
    try:
        allow_list = AllowList.from_secrets(secrets)
    except ConfigError:
        return Access.REFUSED
    address = verified_address(user, allow_list)
    return Access.PARTNER if address is not None and allow_list.allows(address) else Access.REFUSED
