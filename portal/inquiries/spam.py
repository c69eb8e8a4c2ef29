"""Abuse checks of the contact form, all on this server (no captcha service elsewhere).

- A honeypot field people never see; bots fill it.
- A signed timestamp written into the form: a submission faster than INQUIRY_MIN_FILL_SECONDS,
  or without a timestamp this server signed, came from a script.
- Proof of work (ALTCHA): the page carries a challenge signed here; the vendored widget
  (portal/static/inquiries/altcha/) solves it in the browser; each solution is accepted once.
- Links in the message, more than INQUIRY_MAX_LINKS.
- Rate limits per client address and per e-mail address (the cache all workers share).

None of these refuses a submission that passed the form's own validation: a failed check
holds the inquiry for review (status "spam", the reasons kept) instead of losing it, and
sends no automatic e-mail. Only the rate limit refuses (HTTP 429), keeping what was typed.
"""

import hashlib
import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils import timezone
from django.utils.crypto import salted_hmac

import altcha

logger = logging.getLogger(__name__)

TIMESTAMP_SALT = "portal.inquiries.started"
POW_ALGORITHM = "PBKDF2/SHA-256"
# A challenge stays solvable this long: people may take a while to write.
CHALLENGE_SECONDS = 6 * 60 * 60

HONEYPOT = "honeypot"
TOO_FAST = "too-fast"
NO_TIMESTAMP = "no-timestamp"
NO_PROOF = "no-proof"
BAD_PROOF = "bad-proof"
REUSED_PROOF = "reused-proof"
LINKS = "links"

LINK = re.compile(r"https?://|www\.|\[url|<a\s", re.IGNORECASE)


def _counters():
    """The cache every worker process shares (Redis, else files in CACHE_DIR): a limit per
    process would multiply with the number of gunicorn workers."""
    return caches["shared"] if "shared" in settings.CACHES else caches["default"]


def sign_start() -> str:
    return signing.dumps(time.time(), salt=TIMESTAMP_SALT)


def fill_time_reasons(token: str, now: float | None = None) -> list[str]:
    try:
        started = float(signing.loads(token or "", salt=TIMESTAMP_SALT, max_age=CHALLENGE_SECONDS * 4))
    except (signing.BadSignature, TypeError, ValueError):
        return [NO_TIMESTAMP]
    if (now or time.time()) - started < settings.INQUIRY_MIN_FILL_SECONDS:
        return [TOO_FAST]
    return []


def _hmac_secret() -> str:
    return salted_hmac("portal.inquiries.altcha", "challenge").hexdigest()


def new_challenge() -> dict:
    """A proof-of-work challenge signed with a key derived from SECRET_KEY (the widget's JSON)."""
    challenge = altcha.create_challenge(
        POW_ALGORITHM,
        settings.INQUIRY_POW_COST,
        expires_at=timezone.now() + timedelta(seconds=CHALLENGE_SECONDS),
        hmac_secret=_hmac_secret(),
    )
    return challenge.to_dict()


def proof_reasons(payload: str) -> list[str]:
    if not payload:
        return [NO_PROOF]
    if len(payload) > 4000:
        return [BAD_PROOF]
    try:
        result = altcha.verify_solution(payload, _hmac_secret())
    except Exception:  # noqa: BLE001 (anything a visitor can send must end in a reason, never a 500)
        return [BAD_PROOF]
    if not result.verified:
        return [BAD_PROOF]
    # Each solved challenge counts once: the same proof on a second inquiry is a script's.
    digest = hashlib.sha256(payload.encode()).hexdigest()
    try:
        first = _counters().add(f"inquiries:proof:{digest}", 1, CHALLENGE_SECONDS)
    except Exception:  # noqa: BLE001 (the cache away: accept rather than hold every inquiry)
        logger.warning("inquiries: cache unavailable, proof-of-work reuse not checked")
        first = True
    return [] if first else [REUSED_PROOF]


def link_reasons(message: str) -> list[str]:
    return [LINKS] if len(LINK.findall(message or "")) > settings.INQUIRY_MAX_LINKS else []


RATE_WINDOW_SECONDS = 60 * 60


def _hit(key: str, limit: int) -> bool:
    """Count one more for `key` in its hour; False once the limit is passed. The count is stored
    with the end of its hour and set again with the time left: FileBasedCache.incr() (the shared
    cache without Redis) rewrites an entry with the default timeout, which cut the hour to minutes."""
    key = f"inquiries:rate:{key}"
    cache = _counters()
    now = time.time()
    try:
        count, until = cache.get(key) or (0, now + RATE_WINDOW_SECONDS)
        if until <= now:
            count, until = 0, now + RATE_WINDOW_SECONDS
        cache.set(key, (count + 1, until), max(1, round(until - now)))
    except Exception:  # noqa: BLE001 (the cache away: no limit rather than a 500)
        logger.warning("inquiries: cache unavailable, rate limit not applied")
        return True
    return count + 1 <= limit


def within_rate_limits(client: str, email: str) -> bool:
    """Counts this submission against the client's and the address's hourly limits."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_client = _hit(f"ip:{client}", settings.INQUIRY_RATE_LIMIT_PER_IP)
    by_email = _hit(f"email:{address}", settings.INQUIRY_RATE_LIMIT_PER_EMAIL)
    return by_client and by_email
