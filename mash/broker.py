"""The Redis transport for Celery, with a channel that closes cleanly on a dead connection.

kombu 5.7.0 (since celery/kombu#1733, 5.3.2) drains a pending BRPOP reply in
``Channel.close()`` and catches only ``Empty``. When Redis has gone away the drain raises a
connection error, so ``close()`` stops before the channel is marked closed and before its
unacknowledged messages are handed back. Celery 5.7.0 (celery/celery#10242) then closes the same
connection a second time, after ``collect()`` has cleared ``transport.client``; that close reaches
``QoS.restore_unacked`` -> ``conninfo.hostname`` on None, an ``AttributeError`` Celery treats as
unrecoverable: a busy worker (``acks_late``, a task running and another pool slot waiting in
BRPOP) exits when Redis goes away and no deadline scan runs until someone restarts it.

This channel does the same drain but lets a connection error pass, so ``close()`` completes while
the transport still has its client. Selected by ``CELERY_BROKER_TRANSPORT`` where the broker is
Redis; ``driver_type`` stays "redis", so Celery's Redis paths are unchanged. Remove it once kombu
catches connection errors there (tests/test_worker_outages.py shows the worker surviving).
"""

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    def close(self) -> None:
        if self._in_poll:
            try:
                self._brpop_read()
            except kombu_redis.Empty:
                pass
            except self.connection_errors:
                pass  # Redis is gone: the message, if any, is still in Redis
        super().close()


class RedisTransport(kombu_redis.Transport):
    Channel = Channel
