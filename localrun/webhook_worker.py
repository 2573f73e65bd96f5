"""The webhook worker of the local runtime: a thread polling the queue.

In AWS the queue triggers the `deliver_webhooks` Lambda; here a thread calls the same service
function. Like the Lambda integration, a message is deleted only after it was handled; if
handling raises, SQS hands it out again after its visibility timeout.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.webhook_queue import Received
from chalicelib.bootstrap import webhook_ports, webhook_queue
from chalicelib.domain.errors import TransientStorageError
from chalicelib.observability import logger
from chalicelib.services.webhook_delivery import handle_message

AWS_ERRORS = (ClientError, BotoCoreError, TransientStorageError)
MAX_RECEIVE = 10  # SQS ReceiveMessage limit
LONG_POLL_SECONDS = 1  # short, so that stopping the runtime never waits long


class WebhookWorker:
    def __init__(self, concurrency: int = 4, retry_interval: float = 1.0) -> None:
        self.concurrency = concurrency
        self.retry_interval = retry_interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="webhook-poller", daemon=True)

    def start(self) -> WebhookWorker:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling, let attempts in flight finish (each is bounded by the HTTP time-out)."""
        self._stopped.set()
        self._thread.join(timeout=30)

    def _poll(self) -> None:
        """Long-poll the queue, never holding more messages than there are threads to handle them.

        An idle queue costs one receive a second (a send wakes the receive at once); polling
        every 0.1 s instead was a sixth of the runtime's CPU while it served nothing but reads.
        """
        in_flight: set[Future[None]] = set()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="webhook") as pool:
            while not self._stopped.is_set():
                in_flight = {future for future in in_flight if not future.done()}
                if len(in_flight) >= self.concurrency:
                    in_flight = wait(in_flight, return_when=FIRST_COMPLETED).not_done
                    continue
                received = self._receive(min(MAX_RECEIVE, self.concurrency - len(in_flight)))
                if received is None:
                    self._stopped.wait(self.retry_interval)
                    continue
                in_flight.update(pool.submit(self._handle, message) for message in received)

    @staticmethod
    def _receive(count: int) -> list[Received] | None:
        """Up to `count` messages, waiting up to LONG_POLL_SECONDS for one; None when SQS failed."""
        try:
            return webhook_queue().receive(count, wait_seconds=LONG_POLL_SECONDS)
        except AWS_ERRORS as error:
            logger.warning("webhook queue unavailable", extra={"error": str(error)})
            return None

    @staticmethod
    def _handle(message: Received) -> None:
        try:
            handle_message(webhook_ports(), message.body)
        except Exception:  # as Lambda does: logged, and the message stays for SQS to hand out again
            logger.exception("webhook message failed; it will be handed out again")
            return
        webhook_queue().delete(message.receipt_handle)
