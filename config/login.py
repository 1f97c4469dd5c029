"""The admin sign-in, rate limited per IP address and per username."""

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.client import client_ip

logger = logging.getLogger("broadsheet.security")


def _keys(request, username: str) -> list[str]:
    ip = (client_ip(request) or "") if request else ""
    user = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-failures:ip:{ip}", f"login-failures:user:{user}"]


class RateLimitedAuthenticationForm(AdminAuthenticationForm):
    """After LOGIN_FAILURE_LIMIT failures from one IP or for one username within
    LOGIN_FAILURE_WINDOW seconds, sign-in is refused until the window passes."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "rate_limited": _(
            "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        keys = _keys(self.request, username)
        failures = cache.get_many(keys)
        if any(count >= settings.LOGIN_FAILURE_LIMIT for count in failures.values()):
            logger.warning("Sign-in refused: too many failures (ip or username rate limited)")
            raise ValidationError(
                self.error_messages["rate_limited"],
                code="rate_limited",
                params={"minutes": max(1, settings.LOGIN_FAILURE_WINDOW // 60)},
            )
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                if not cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
                    cache.incr(key)
            logger.warning("Failed admin sign-in (attempt counted against IP and username)")
            raise
