"""The S3 evidence bucket: presigned uploads and downloads, inspection, deletion.

File bytes never pass through a Lambda on the way in: clients POST them straight
to S3 with a presigned policy. `complete` then reads the object once (one GetObject
of at most one byte more than declared) to learn its size and version, hash it and
keep its first bytes for type sniffing. Downloads are pinned to the
version that was verified, so re-using an unexpired upload policy later cannot
swap the file behind a verified hash.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.evidence_models import ObjectDigest, ObjectRead, PresignedUpload

CHUNK_BYTES = 1024 * 1024
SNIFF_BYTES = 8192  # what `filetype` reads to recognise a format
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchVersion"})


class S3EvidenceFiles:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    @property
    def _s3(self) -> Any:
        return client("s3")

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedUpload:
        """A POST policy for exactly this key, this content type and at most `max_bytes`.

        S3 enforces the policy in AWS; the local emulator does not, so `complete` re-checks everything.
        """
        post = self._s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"key": key},
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in,
        )
        return PresignedUpload(url=post["url"], fields=dict(post["fields"]))

    def read(self, key: str, max_bytes: int) -> ObjectRead | None:
        """The object's size and version and, if it has at most `max_bytes`, the SHA-256 of all of it and its
        first bytes; None when nothing was uploaded. One GetObject of the first `max_bytes + 1` bytes: its
        Content-Range names the whole size, and a larger object is never streamed beyond that range.
        """
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{max_bytes}")
        except ClientError as error:
            if _is_missing(error):
                return None
            if str(error.response.get("Error", {}).get("Code")) == "InvalidRange":  # an empty object has no byte 0
                return ObjectRead(size=0, version_id=None, digest=_digest(b""))
            raise
        body, version_id = response["Body"], response.get("VersionId")
        size = _whole_size(response)
        if size > max_bytes:
            body.close()
            return ObjectRead(size=size, version_id=version_id, digest=None)
        sha256 = hashlib.sha256()
        head = bytearray()
        read = 0
        try:
            for chunk in body.iter_chunks(CHUNK_BYTES):
                sha256.update(chunk)
                read += len(chunk)
                if len(head) < SNIFF_BYTES:
                    head.extend(chunk[: SNIFF_BYTES - len(head)])
        finally:
            body.close()
        return ObjectRead(
            size=size,
            version_id=version_id,
            digest=ObjectDigest(sha256=sha256.hexdigest(), head=bytes(head), size=read),
        )

    def delete(self, key: str) -> None:
        """Remove every version of the key: in a versioned bucket a plain delete only hides the bytes."""
        pages = self._s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=key)
        for page in pages:
            doomed = [
                {"Key": entry["Key"], "VersionId": entry["VersionId"]}
                for entry in (*page.get("Versions", []), *page.get("DeleteMarkers", []))
                if entry["Key"] == key
            ]
            if doomed:
                self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": doomed, "Quiet": True})

    def download_url(self, key: str, version_id: str | None, content_type: str, filename: str, expires_in: int) -> str:
        """A short-lived GET for the verified version, always served as an attachment of its checked type."""
        params: dict[str, str] = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        }
        if version_id:
            params["VersionId"] = version_id
        url: str = self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
        return url


def _whole_size(response: dict[str, Any]) -> int:
    """`bytes 0-99/1234` names the whole object; an answer without a range (S3 may ignore one) is all of it."""
    content_range = str(response.get("ContentRange") or "")
    if "/" in content_range and not content_range.endswith("/*"):
        return int(content_range.rsplit("/", 1)[1])
    return int(response["ContentLength"])


def _digest(data: bytes) -> ObjectDigest:
    return ObjectDigest(sha256=hashlib.sha256(data).hexdigest(), head=data[:SNIFF_BYTES], size=len(data))


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING_CODES
