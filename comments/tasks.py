"""The addresses tasks had before each moved beside its work: rows that a database worker
queued under them still find their task here. Nothing new is queued by these names; once no
such row is left (`manage.py db_worker` has run them), this module can go.
"""

from .following import send_confirmation, send_follow_ups, send_new_posts, tell_commenter_approved
from .notifications import alert_invalid_key, notify_authors, notify_moderators
from .privacy import send_confirmation as send_privacy_confirmation
from .services import check_comment, report_to_akismet

__all__ = [
    "alert_invalid_key",
    "check_comment",
    "notify_authors",
    "notify_moderators",
    "report_to_akismet",
    "send_confirmation",
    "send_follow_ups",
    "send_new_posts",
    "send_privacy_confirmation",
    "tell_commenter_approved",
]
