"""Pictures in and out: fetching links safely, inspecting images, and (later) uploads and storage.

May import `enhancer.hitpaw` for the vendor's limits, Django settings and storage; never the job
models, the pipeline or the pages. With `enhancer/hitpaw/client.py`, the only code that opens
outside connections.
"""
