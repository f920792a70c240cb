"""Partner sign-in: who may see the partner pages. Plain functions, no Streamlit.

Partners sign in with Streamlit's OpenID Connect (`st.login`), configured in the `[auth]` section of
`.streamlit/secrets.toml`. Without that section sign-in is not configured: the dashboard is the public
one and says nothing of partners. The accounts allowed are listed in the same file:

    [partners]
    emails = ["analys@example.org"]                          # single accounts
    domains = ["polisen.se", "malmo.se", "kriminalvarden.se"]  # every account of these domains

An account is a partner when it is signed in (`is_logged_in` is true in `st.user`, which Streamlit
reads from its signed cookie), its e-mail claim is an address, the provider has not marked that
address unverified (`email_verified` false), and the address is listed or its domain is, exactly:
`malmo.se` allows `a@malmo.se`, not `a@skola.malmo.se`. Letter case never matters. Anything else is
refused: an empty allow-list refuses every account.
"""

from __future__ import annotations

import enum
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


@dataclass(frozen=True)
class AllowList:
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @classmethod
    def from_secrets(cls, secrets: Mapping) -> AllowList:
        """The allow-list in the [partners] section of the secrets (empty without one).

        Raises ConfigError for a value that is not a list of e-mail addresses or domains.
        """
        section = secrets.get("partners") or {}
        if not isinstance(section, Mapping):
            raise ConfigError("[partners] must be a table with the lists emails and domains")
        emails = _entries(section, "emails")
        domains = [domain.removeprefix("@") for domain in _entries(section, "domains")]
        bad_emails = [email for email in emails if _domain(email) is None]
        if bad_emails:
            raise ConfigError(f"partners.emails: not an e-mail address: {', '.join(bad_emails)}")
        bad_domains = [domain for domain in domains if not _is_domain(domain)]
        if bad_domains:
            raise ConfigError(f"partners.domains: not a domain: {', '.join(bad_domains)}")
        return cls(frozenset(emails), frozenset(domains))

    def allows(self, email: str) -> bool:
        email = email.strip().lower()
        return email in self.emails or _domain(email) in self.domains


def _entries(section: Mapping, key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):  # emails = "a@b.se": one entry, never its letters
        value = [value]
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise ConfigError(f"partners.{key} must be a list of texts")
    return [entry.strip().lower() for entry in value if entry.strip()]


def _domain(email: str) -> str | None:
    """The domain of an e-mail address, or None when it is not one (no @, or more than one)."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at or not local or "@" in local or not _is_domain(domain):
        return None
    return domain


def _is_domain(domain: str) -> bool:
    labels = domain.split(".")
    return len(labels) >= 2 and all(label and not set(label) & set("@ \t/:") for label in labels)


def sign_in_configured(secrets: Mapping) -> bool:
    """True when secrets.toml has an [auth] section, so st.login can be offered."""
    return isinstance(secrets.get("auth"), Mapping)


def email_of(user: Mapping) -> str | None:
    """The signed-in account's e-mail address, lower case, or None when it has none or it is unverified."""
    email = user.get("email")
    if not isinstance(email, str) or _domain(email) is None:
        return None
    if user.get("email_verified") in (False, "false"):
        return None
    return email.strip().lower()


def access(user: Mapping, secrets: Mapping) -> Access:
    """What the visitor `user` (st.user as a dict) may see under the configuration `secrets`.

    A ConfigError in [partners] refuses every signed-in account (frame.py says why).
    """
    if not sign_in_configured(secrets):
        return Access.NO_SIGN_IN
    if user.get("is_logged_in") is not True:
        return Access.SIGNED_OUT
    email = email_of(user)
    try:
        allowed = email is not None and AllowList.from_secrets(secrets).allows(email)
    except ConfigError:
        allowed = False
    return Access.PARTNER if allowed else Access.REFUSED
