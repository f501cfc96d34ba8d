"""Our stored copies sent to a browser (or to HitPaw) through our own views, as they are read.

Files are private in every storage: each response comes from a view that checked who asks, never
from a public link to the bucket (which the Content-Security-Policy would not allow anyway).
"""

from __future__ import annotations

from django.http import FileResponse

from enhancer.media import storage


def stored_file_response(
    name: str, *, content_type: str | None = None, as_attachment: bool = False, filename: str = ""
) -> FileResponse:
    """Stream the stored file `name` with its size announced, whatever the storage backend."""
    stream = storage.open_stream(name)
    response = FileResponse(stream, content_type=content_type, as_attachment=as_attachment, filename=filename)
    response["Content-Length"] = str(stream.size)
    return response
