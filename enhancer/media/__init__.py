"""Files: fetching a link safely (`fetcher`), checking an image (`imaging`), and our copies of
originals and results in Django's default storage (`storage`): local media, or an S3-compatible
bucket shared by several hosts (`s3`).

Streams to and from disk, never holds a photo whole in memory. May import `enhancer.hitpaw` (the
vendor's limits) and nothing else of `enhancer`.
"""
