"""'Already recorded', shared by all workers of a crawl: the set of article URLs with a record in some
worker's JSONL segment (``<p>:recorded``), and the claims of the records being written (``<p>:claims``).

An article can be fetched twice in a distributed crawl: its worker died after fetching it, and the lease
expired and requeued it. To record it once, a worker claims the URL before it writes the record and
turns the claim into "recorded" right after the write (:meth:`SharedRecorded.add`). The claim names the
worker (and its run), the JSONL file and the byte offset the record goes to. A claim by a live worker
means "someone is writing it": skip. A claim by a dead worker is checked against its file: if the record
is at that offset, it is recorded (the worker died between its write and the confirmation); if not, the
claim is taken over and the record written here. When the dead worker's files are not reachable from this
machine (archives not on a shared filesystem) the claim cannot be checked: the record is written again,
with a warning and ``newsarchive/distributed/unverified-claim`` counted.

Settings: none. Stats: ``newsarchive/distributed/{claim-taken-over,claim-confirmed,unverified-claim}``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, MutableSet
from enum import Enum
from pathlib import Path

from crawler.distributed.cluster import REDIS_ERRORS, Cluster

log = logging.getLogger(__name__)

_CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {'recorded'} end
local c = redis.call('HGET', KEYS[2], ARGV[1])
if c then
  local owner, run = string.match(c, '^([^\\t]*)\\t([^\\t]*)')
  if run ~= ARGV[5] then
    if redis.call('GET', ARGV[3] .. 'worker:' .. owner) == run then return {'busy', c} end
    return {'stale', c}
  end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'claimed'}
"""
_REPLACE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""
_COMMIT = """
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""


class Claim(Enum):
    CLAIMED = "claimed"  # write the record, then add() it
    RECORDED = "recorded"  # some worker has recorded it: skip
    BUSY = "busy"  # a live worker is writing it right now: skip
    LOST = "lost"  # Redis is gone (the worker stops; the page returns to the frontier)


class SharedRecorded(MutableSet[str]):
    """The crawl's recorded URLs in Redis, usable where the single-machine store keeps a ``set``."""

    def __init__(self, cluster: Cluster, archive_dir: Path) -> None:
        self.cluster, self.archive_dir = cluster, Path(archive_dir)
        self.keys = cluster.keys

    def __contains__(self, url: object) -> bool:
        if self.cluster.broken:
            return False
        try:
            return bool(self.cluster.client.sismember(self.keys.recorded, str(url)))
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)
            return False

    def __iter__(self) -> Iterator[str]:
        return (url.decode() for url in self.cluster.client.sscan_iter(self.keys.recorded))

    def __len__(self) -> int:
        return int(self.cluster.client.scard(self.keys.recorded))

    def add(self, url: str) -> None:
        """The record of ``url`` is written: recorded, claim done. Without Redis the claim stays, and the
        worker that meets it later finds the record in our file (see the module docstring)."""
        if self.cluster.broken:
            return
        try:
            self.cluster.script("record-commit", _COMMIT)(keys=[self.keys.recorded, self.keys.claims],
                                                          args=[url])
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)

    def discard(self, url: str) -> None:
        self.cluster.client.srem(self.keys.recorded, url)

    # -- claims -------------------------------------------------------------------------------------
    def claim(self, url: str, jsonl: Path) -> Claim:
        """Claim the right to write ``url``'s record at the end of ``jsonl`` (this worker's segment)."""
        mine = self._claim_value(jsonl)
        cluster = self.cluster
        if cluster.broken:
            return Claim.LOST
        try:
            outcome = cluster.script("record-claim", _CLAIM)(
                keys=[self.keys.recorded, self.keys.claims],
                args=[url, mine, self.keys.prefix, cluster.worker_id, cluster.run])
            kind = outcome[0].decode()
            if kind != "stale":
                return Claim(kind)
            return self._resolve_stale(url, outcome[1].decode(), mine)
        except REDIS_ERRORS as exc:
            cluster.fail(exc)
            return Claim.LOST

    def release(self, url: str) -> None:
        """Give up a claim (the write failed or the item was dropped)."""
        if self.cluster.broken:
            return  # a dead claim: the next worker checks our file
        try:
            self.cluster.client.hdel(self.keys.claims, url)
        except REDIS_ERRORS as exc:
            self.cluster.fail(exc)

    def _claim_value(self, jsonl: Path) -> str:
        size = jsonl.stat().st_size if jsonl.exists() else 0
        relative = jsonl.relative_to(self.archive_dir).as_posix()
        return "\t".join([self.cluster.worker_id, self.cluster.run, relative, str(size)])

    def _resolve_stale(self, url: str, stale: str, mine: str) -> Claim:
        """A dead worker claimed ``url``: did its record reach its file?"""
        owner, _, relative, offset = stale.split("\t")
        path = self.archive_dir / relative
        written = record_at(path, int(offset), url)
        if written:
            self.add(url)
            self._count("claim-confirmed")
            log.info("%s: recorded by worker %s just before it died (%s@%s)", url, owner, relative, offset)
            return Claim.RECORDED
        if written is None:
            self._count("unverified-claim")
            log.warning("%s: worker %s died while recording it and its file %s is not reachable here; "
                        "recording it again (a duplicate may be in that worker's segment)", url, owner, path)
        replaced = self.cluster.script("record-replace", _REPLACE)(
            keys=[self.keys.claims], args=[url, stale, mine])
        if not replaced:
            return Claim.BUSY  # another worker took it over first
        self._count("claim-taken-over")
        return Claim.CLAIMED

    def _count(self, key: str) -> None:
        stats = self.cluster.crawler.stats
        if stats is not None:
            stats.inc_value(f"newsarchive/distributed/{key}")


def record_at(path: Path, offset: int, url: str) -> bool | None:
    """Whether the JSONL ``path`` holds a whole record of ``url`` starting at byte ``offset``; None when
    the file is not there at all (another machine's archive)."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            line = fh.readline()
    except FileNotFoundError:
        return None
    if not line.endswith(b"\n"):
        return False  # nothing there, or a tail torn by the kill
    try:
        return bool(json.loads(line).get("url") == url)
    except (ValueError, AttributeError):
        return False
