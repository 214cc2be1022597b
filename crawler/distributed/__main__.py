"""Look at or end the distributed crawl of a spider in Redis.

    python -m crawler.distributed status NAME [--redis-url redis://127.0.0.1:6379/0]
    python -m crawler.distributed reset NAME [--redis-url ...]   # forget the current crawl of NAME

``status`` prints the crawl id, its state, the seeder, how many requests are queued and in flight, the
live workers and how many articles are recorded. ``reset`` deletes the crawl's keys (frontier, dupefilter,
leases, recorded set): the next worker begins a new crawl. Files already written stay where they are.
"""

from __future__ import annotations

import argparse
import sys

from crawler.distributed.cluster import DistributedError, Keys, connect

DEFAULT_URL = "redis://127.0.0.1:6379/0"


def status_lines(client: object, spider: str) -> list[str]:
    import redis

    assert isinstance(client, redis.Redis)
    crawl = {k.decode(): v.decode() for k, v in client.hgetall(Keys.current(spider)).items()}  # type: ignore[union-attr]
    if not crawl:
        return [f"no crawl of {spider} in this Redis"]
    keys = Keys(spider, crawl["id"])
    workers = sorted(w.decode() for w in client.smembers(keys.workers))  # type: ignore[union-attr]
    alive = [w for w in workers if client.exists(keys.worker(w))]
    unfinished = "" if crawl.get("seeded") == "1" else ", seeding not finished"
    return [
        f"crawl      {crawl['id']} of {spider}: {crawl.get('state', '?')}"
        f" (seeded by {crawl.get('seeder', '-')}{unfinished})",
        f"frontier   {client.zcard(keys.queue)} queued, {client.hlen(keys.inflight)} in flight",
        f"workers    {len(alive)} alive" + (f": {', '.join(alive)}" if alive else ""),
        f"recorded   {client.scard(keys.recorded)} articles ({client.hlen(keys.claims)} being written)",
    ]


def reset(client: object, spider: str) -> int:
    import redis

    assert isinstance(client, redis.Redis)
    crawl_id = client.hget(Keys.current(spider), "id")
    removed = 0
    if crawl_id:
        prefix = Keys(spider, crawl_id.decode()).prefix  # type: ignore[union-attr]
        for key in client.scan_iter(match=prefix + "*", count=1000):
            removed += int(client.delete(key))
    removed += int(client.delete(Keys.current(spider)))
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.distributed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["status", "reset"])
    parser.add_argument("spider", help="spider (site config) name, e.g. sample")
    parser.add_argument("--redis-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    args = parser.parse_args(argv)
    try:
        client = connect(args.redis_url, 0)
    except DistributedError as exc:
        print(f"python -m crawler.distributed: {exc}", file=sys.stderr)
        return 1
    if args.command == "status":
        print("\n".join(status_lines(client, args.spider)))
    else:
        print(f"removed {reset(client, args.spider)} keys of {args.spider}'s crawl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
