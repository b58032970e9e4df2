"""The notifier: texts from the catalogue, recipients split into calls the hub accepts."""

from __future__ import annotations

import uuid

from feedback import notifier
from feedback.models import Report, TimelineEntry
from superapp import i18n


def sample() -> tuple[Report, TimelineEntry]:
    report = Report(
        id=uuid.uuid4(),
        tracking_code="HN-2611-ABCDEF",
        category_code="x",
        description="d" * 10,
        latitude=21.0,
        longitude=105.8,
        ack_due_at=None,
        due_at=None,
    )
    entry = TimelineEntry(
        report_id=report.id,
        actor_role="agency_officer",
        action="resolved",
        from_status="in_progress",
        to_status="resolved",
        note="Đã vá.",
    )
    return report, entry


class TestHubNotifier:
    async def test_large_audiences_are_published_in_parts(self, monkeypatch):
        import notifications.api

        i18n.load_package("feedback")
        calls = []

        async def fake_publish(session, **kw):
            calls.append(kw)

        monkeypatch.setattr(notifications.api, "publish", fake_publish)
        monkeypatch.setattr(notifier, "RECIPIENTS_PER_CALL", 2)
        report, entry = sample()
        people = [uuid.uuid4() for _ in range(5)]
        await notifier.HubNotifier().status_changed(None, report, entry, people)
        assert [c["recipients"] for c in calls] == [people[0:2], people[2:4], people[4:5]]
        assert [c["idempotency_key"] for c in calls] == [f"feedback:{entry.id}:{n}" for n in range(3)]
        first = calls[0]
        assert first["category"] == "feedback.status" and first["source"] == "feedback"
        assert first["title"] == {
            "vi": "Phản ánh HN-2611-ABCDEF: Đã xử lý xong",
            "en": "Report HN-2611-ABCDEF: Resolved",
        }
        assert "Đã vá." in first["body"]["vi"] and "Đã vá." in first["body"]["en"]
        assert first["data"] == {
            "report_id": str(report.id),
            "tracking_code": "HN-2611-ABCDEF",
            "status": "resolved",
            "from_status": "in_progress",
        }

    async def test_nobody_to_tell_means_no_call(self, monkeypatch):
        import notifications.api

        calls = []

        async def fake_publish(session, **kw):
            calls.append(kw)

        monkeypatch.setattr(notifications.api, "publish", fake_publish)
        await notifier.HubNotifier().status_changed(None, *sample(), [])
        assert calls == []
