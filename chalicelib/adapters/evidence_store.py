"""The S3 evidence bucket: presigned uploads and downloads, inspection, deletion.

File bytes never pass through a Lambda on the way in: clients POST them straight
to S3 with a presigned policy. `complete` then streams the object once to hash
it and keep its first bytes for type sniffing. Downloads are pinned to the
version that was verified, so re-using an unexpired upload policy later cannot
swap the file behind a verified hash.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.evidence_models import ObjectDigest, PresignedUpload, StoredObject

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

    def stat(self, key: str) -> StoredObject | None:
        try:
            head = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return StoredObject(size=int(head["ContentLength"]), version_id=head.get("VersionId"))

    def digest(self, key: str, version_id: str | None) -> ObjectDigest:
        """SHA-256 of the whole object, streamed in chunks, plus its first bytes for sniffing."""
        version = {"VersionId": version_id} if version_id else {}
        body = self._s3.get_object(Bucket=self.bucket, Key=key, **version)["Body"]
        sha256 = hashlib.sha256()
        head = bytearray()
        size = 0
        try:
            for chunk in body.iter_chunks(CHUNK_BYTES):
                sha256.update(chunk)
                size += len(chunk)
                if len(head) < SNIFF_BYTES:
                    head.extend(chunk[: SNIFF_BYTES - len(head)])
        finally:
            body.close()
        return ObjectDigest(sha256=sha256.hexdigest(), head=bytes(head), size=size)

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


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in MISSING_CODES
