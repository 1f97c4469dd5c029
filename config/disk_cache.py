"""The one-box cache (diskcache's Django backend), with its SQLite connections kept open.

Django closes every cache at the end of every request (`close_caches` on request_finished), so
that a backend holding a socket per request gives it back. diskcache's connections are one per
thread and per shard, and are reopened after a fork, so keeping them costs nothing; closing
them meant that the next request opened each shard it touched again, read its settings table and
set its pragmas: about 0.3 ms per shard, more than a cached page takes to serve from it.
"""

from diskcache import DjangoCache


class DiskCache(DjangoCache):
    def close(self, **kwargs):
        """Nothing to give back at the end of a request (see above)."""
