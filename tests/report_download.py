"""The dashboard's "Download report", over HTTP as a signed-in viewer, with the guard enforcing: the report of
the question on screen, at the viewer's clearance; a hidden subject answered as a missing one. Run by
``tests/test_report.py`` in a fresh process (Dash gives page callbacks to the first app a process makes)."""

from __future__ import annotations

import base64
import json

from tests.test_report import leaks
from tests.trust_callbacks import set_canaries, signed_in, site  # noqa: F401 - site is a fixture


def test_the_dashboard_downloads_a_report_for_a_viewer_at_the_viewers_clearance(site):  # noqa: F811
    app, _settings, canaries = site
    set_canaries(canaries["db"], canaries, ("restricted", "people"))
    guard = app.server.extensions["stakemap_guard"]
    guard.enforce = True
    try:
        client = signed_in(app, "viewer")
        deps = client.get("/_dash-dependencies").get_json()
        dep = next(d for d in deps if "report-dl" in d["output"])
        outputs = [{"id": {"page": "explore", "type": "report-dl"}, "property": "data"},
                   {"id": {"page": "explore", "type": "report-msg"}, "property": "children"}]
        body = {"output": dep["output"], "outputs": outputs,
                "inputs": [{"id": {"page": "explore", "type": "report-btn"}, "property": "n_clicks", "value": 1}],
                "state": [{"id": {"page": "explore", "type": "url-state"}, "property": "data",
                           "value": f"actor={canaries['hub']}"}],
                "changedPropIds": ['{"page":"explore","type":"report-btn"}.n_clicks']}
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        payload = response.get_json()["response"]
        download = payload['{"page":"explore","type":"report-dl"}']["data"]
        assert download["filename"].startswith("stakemap-report-actor-") and download["filename"].endswith(".html")
        html = base64.b64decode(download["content"]).decode("utf-8") if download.get("base64") else download["content"]
        assert "<svg" in html and 'id="references"' in html and "Made at clearance internal, without people" in html
        assert leaks(html, canaries) == []
        # a hidden actor in the page's address gets the answer a made-up one gets
        for actor in (canaries["restricted_ids"][1], "no-such-actor-anywhere"):
            body["state"][0]["value"] = f"actor={actor}"
            answer = client.post("/_dash-update-component", json=body).get_json()["response"]
            assert "report-dl" not in json.dumps(answer) or "filename" not in json.dumps(answer)
            message = json.dumps(answer['{"page":"explore","type":"report-msg"}'])
            assert "no actor matches" in message and actor in message
    finally:
        guard.enforce = False
