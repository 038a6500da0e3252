"""Notifications: the in-app inbox (once per recipient and key, the header's badge at
no query of its own), and the webhook, tried again with back-off against a local HTTP
server that fails twice, never blocking the sender."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tasks_db.models import DBTaskResult

from fangyi.core import notify, periodic, webhooks
from fangyi.core.models import Notification, Periodic, WebhookDelivery
from fangyi.core.notify import Notice
from fangyi.org.roles import Role
from tests.factories import make_staff
from tests.helpers import run_worker
from tests.measures.builders import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def robot():
    """A WeCom-like group robot on 127.0.0.1 that answers 500 twice, then 200."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            ok = len(received) > 2
            self.send_response(200 if ok else 500)
            self.end_headers()
            self.wfile.write(b'{"errcode":0,"errmsg":"ok"}' if ok else b"busy")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test", received
    server.shutdown()
    server.server_close()


def test_a_notice_reaches_each_recipient_once(org):
    worker = make_staff(org, Role.GRID_WORKER)
    secretary = make_staff(org, Role.COMMUNITY_SECRETARY)
    notice = Notice(
        "measures:due:2026-12-02T10:00:1", "10:00 前需报告体温：1 人（刘桂兰）", "/measures/today/"
    )
    assert notify.send(notice, [worker, secretary]) == 2
    assert notify.send(notice, [worker, secretary]) == 0
    assert notify.send(Notice(notice.key, "another text"), [worker]) == 0
    rows = Notification.objects.order_by("recipient_id").values_list(
        "recipient_id", "text", "link", "read_at"
    )
    assert list(rows) == [
        (worker.pk, "10:00 前需报告体温：1 人（刘桂兰）", "/measures/today/", None),
        (secretary.pk, "10:00 前需报告体温：1 人（刘桂兰）", "/measures/today/", None),
    ]
    assert (notify.unread(worker), notify.mark_read(worker), notify.unread(worker)) == (1, 1, 0)


def test_the_badge_comes_with_the_users_row(org, client_for, django_assert_num_queries):
    worker = make_staff(org, Role.GRID_WORKER)
    notify.send(Notice("a", "第一条"), [worker])
    notify.send(Notice("b", "第二条"), [worker])
    client = client_for(worker)
    html = client.get("/notifications/").content.decode()
    assert '<span class="badge" aria-label="未读">2</span>' in html
    assert html.index("第二条") < html.index("第一条")  # the newest first
    assert client.post("/notifications/", {"all": "1"})["Location"] == "/notifications/"
    html = client.get("/notifications/").content.decode()
    assert 'class="badge"' not in html and html.count('class="read"') == 2


def test_marking_another_users_notification_changes_nothing(org, client_for):
    worker = make_staff(org, Role.GRID_WORKER)
    other = make_staff(org, Role.COMMUNITY_WORKER)
    notify.send(Notice("a", "她的"), [other])
    mine = Notification.objects.get()
    answer = client_for(worker).post("/notifications/", {"id": mine.pk, "next": "https://evil.example/"})
    assert answer["Location"] == "/notifications/"  # only a page of this site
    mine.refresh_from_db()
    assert mine.read_at is None


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_webhook_is_queued_and_retried_with_back_off_until_delivered(org, robot, settings):
    url, received = robot
    settings.FANGYI_WEBHOOK_URL = url
    settings.FANGYI_NOTIFY_BACKOFF_SECONDS = 0  # no waiting in the test; the doubling is tested below
    worker = make_staff(org, Role.GRID_WORKER)
    notice = Notice("measures:alert:1", "预警：刘桂兰（万达新城）体温 38.1℃", "/measures/alerts/1/")
    assert notify.send(notice, [worker]) == 1
    assert notify.send(notice, [worker]) == 0  # the same key: queued once
    assert received == []  # nothing posted while sending: the worker posts
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_error, delivery.delivered_at is not None) == (3, "", True)
    assert received == [{"msgtype": "text", "text": {"content": "预警：刘桂兰（万达新城）体温 38.1℃"}}] * 3
    posts = DBTaskResult.objects.filter(task_path="fangyi.core.tasks.deliver_webhook")
    assert list(posts.order_by("enqueued_at").values_list("status", flat=True)) == ["SUCCESSFUL"] * 3
    # The worker's start queued the reminder sweep too (core.worker), for later.
    assert DBTaskResult.objects.get(task_path="fangyi.measures.tasks.sweep").status == "READY"
    assert Notification.objects.count() == 1  # the inbox as always


def test_a_failed_post_is_queued_again_after_a_doubling_wait(org, settings):
    settings.FANGYI_NOTIFY_BACKOFF_SECONDS = 30
    settings.FANGYI_NOTIFY_ATTEMPTS = 2
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    delivery = WebhookDelivery.objects.create(key="k", url="http://127.0.0.1:9/", payload={"msgtype": "text"})
    again = webhooks.attempt(delivery.pk)  # port 9: refused
    delivery.refresh_from_db()
    assert again is not None and delivery.attempts == 1 and delivery.last_error
    assert 29 <= (again - delivery.created_at).total_seconds() <= 60
    assert webhooks.attempt(delivery.pk) is None  # out of attempts
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.gave_up_at is not None, delivery.delivered_at) == (2, True, None)
    assert webhooks.attempt(delivery.pk) is None  # given up: not posted again
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_periodic_task_is_queued_once_however_often_it_is_started(org):
    from fangyi.measures import tasks

    now = at("2026-12-02 09:57")
    assert periodic.next_run(now, 5) == at("2026-12-02 10:00")
    assert periodic.next_run(at("2026-12-02 10:00"), 5) == at("2026-12-02 10:05")
    assert periodic.next_run(at("2026-12-02 23:58"), 5) == at("2026-12-03 00:00")
    assert periodic.schedule("measures.sweep", tasks.sweep, 5, now) == at("2026-12-02 10:00")
    assert periodic.schedule("measures.sweep", tasks.sweep, 5, now) is None  # a second worker's start
    assert periodic.schedule("measures.sweep", tasks.sweep, 5, at("2026-12-02 09:59")) is None
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.run_after) == ("fangyi.measures.tasks.sweep", at("2026-12-02 10:00"))
    # The chain broken (its task lost): the next start queues the next run.
    queued.delete()
    assert periodic.schedule("measures.sweep", tasks.sweep, 5, at("2026-12-02 10:31")) == at(
        "2026-12-02 10:35"
    )
    assert Periodic.objects.get().next_at == at("2026-12-02 10:35")
