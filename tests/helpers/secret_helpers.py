"""Fake secrets the secrets tests plant, and where they show up."""

from __future__ import annotations

SECRETS = {
    "GITHUB_TOKEN": "ghp_FAKEfakeFAKE0123456789abcdefSECRET",
    "TWIN_LINKEDIN_LI_AT": "AQEDAFakeLiAtCookie0123456789zzSECRET",
    "TWIN_MEDIUM_SID": "1:FakeMediumSid0123456789SECRET",
    "TWIN_SUBSTACK_SID": "s%3AFakeSubstackSid0123456789SECRET",
}
MONGO_PASSWORD = "FakeMongoPassw0rdSECRET"


def hits(text: str | bytes) -> list[str]:
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    return [s for s in [*SECRETS.values(), MONGO_PASSWORD] if s.encode() in data]
