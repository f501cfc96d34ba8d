"""Files: fetching an image from a link (`fetcher`, on `enhancer.net`'s safe requests), checking an
image (`imaging`), and our copies of originals and results in Django's default storage
(`storage`): local media, or an S3-compatible bucket shared by several hosts (`s3`).

Streams to and from disk, never holds a photo whole in memory. May import `enhancer.hitpaw` (the
vendor's limits) and `enhancer.net`, nothing else of `enhancer`.
"""
