"""One log line per request, and a request id on every line logged while it is served.

The id comes from the proxy's `X-Request-ID` when it sends a sane one, so a request can be
followed from the load balancer to the app; it is echoed in the response. Lines name the method,
path, status and time, never a reader's IP address or email.
"""

import contextvars
import logging
import re
import time
import uuid

request_id = contextvars.ContextVar("request_id", default="-")
logger = logging.getLogger("broadsheet.request")
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if SANE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            request_id.reset(token)
